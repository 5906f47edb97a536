import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Session } from '../../src/shared/schemas/sessions';
import { tempDir } from '../../test/helpers/temp';
import { BENCH_KEY, type LiveApp } from './live-app';
import { percentile, waitFor } from './stats';

export const START_RUNS = 10;
const WARMUP_RUNS = 1;
const RUN_LIMIT_MS = 60_000;
export const START_PROMPT = 'SCENARIO:start answer ok';

/** One start, in ms from the API call (or the spawn) to each point seen from outside. */
export interface StartSample {
  /** The first runner line: for aigo the SSE `session.updated` it causes; for docker run, stdout. */
  firstLine: number;
  /** The scripted LLM got the runner's first request (the same moment for every variant). */
  llm: number;
  /** aigo only: the API answered; the session went `starting`; `running` (launch returned). */
  response?: number;
  starting?: number;
  running?: number;
}

export interface StartResult {
  aigo: StartSample[];
  bare: StartSample[];
  hardened: StartSample[];
  failures: string[];
}

/**
 * Session start: `POST /api/v1/container/sessions` → the runner's first output line as an API
 * client sees it (the SSE event the line causes), against `docker run` of the same image with the
 * job piped on stdin → its first stdout line; plus, to tell docker's cost of aigo's hardening
 * from aigo's own work, `docker run` with the same flags and mounts aigo uses.
 */
export async function sessionStartBench(app: LiveApp): Promise<StartResult> {
  const result: StartResult = { aigo: [], bare: [], hardened: [], failures: [] };
  const scratch = await tempDir('aigo-bench-start-');
  try {
    const mounts: string[] = [];
    for (const [dir, target] of [
      ['workspace', '/workspace'],
      ['ipc', '/workspace/ipc'],
      ['state', '/home/agent/.aigo'],
    ] as const) {
      const path = join(scratch.path, dir);
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777);
      mounts.push('--mount', `type=bind,source=${path},target=${target}`);
    }
    await chmod(scratch.path, 0o755);
    const variants = [
      { name: 'aigo', run: () => aigoStart(app) },
      { name: 'bare', run: (i: number) => dockerStart(app, i, []) },
      {
        name: 'hardened',
        run: (i: number) =>
          dockerStart(app, i, [
            '--init',
            '--user',
            '1000:1000',
            '--cap-drop',
            'ALL',
            '--security-opt',
            'no-new-privileges',
            '--read-only',
            '--tmpfs',
            '/tmp:rw,nosuid,nodev,size=512m',
            '--tmpfs',
            '/home/agent:rw,nosuid,nodev,size=256m,uid=1000,gid=1000',
            '--pids-limit',
            '512',
            '--memory',
            '2048m',
            '--memory-swap',
            '2048m',
            '--cpus',
            '2',
            ...mounts,
          ]),
      },
    ] as const;
    for (let i = 0; i < WARMUP_RUNS + START_RUNS; i++) {
      // Rotated, so no variant always runs right after another's container went away.
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(i + k) % variants.length]!;
        try {
          const sample = await variant.run(i);
          if (i >= WARMUP_RUNS) result[variant.name].push(sample);
        } catch (error) {
          result.failures.push(`${variant.name} run ${i}: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    await scratch.cleanup();
  }
  return result;
}

async function aigoStart(app: LiveApp): Promise<StartSample> {
  const from = app.events.events.length;
  const llmFrom = app.llmSeen.length;
  const t0 = performance.now();
  const session = (await app.call('sessions.create', { prompt: START_PROMPT })) as Session;
  const response = performance.now() - t0;
  const updates = () =>
    app.events.forSession(session.id, from).filter((e) => e.name === 'session.updated');
  const ended = await waitFor(
    `session ${session.id} ends`,
    () => updates().find((e) => e.payload.state === 'ended'),
    RUN_LIMIT_MS,
    5,
  );
  if (ended.payload.lastStatus !== 'succeeded')
    throw new Error(`session ${session.id}: ${String(ended.payload.error)}`);
  const first = (pred: (p: Record<string, unknown>) => boolean) => {
    const e = updates().find((u) => pred(u.payload));
    if (!e) throw new Error(`session ${session.id}: an expected event is missing`);
    return e.at - t0;
  };
  const llm = app.llmSeen.slice(llmFrom).find((r) => r.scenario === 'start');
  return {
    // The runner's first line ({progress: start}) changes nothing a client sees; its second,
    // printed right after it ({progress: turn 1}), sets progress.turn: that event is the mark.
    firstLine: first((p) => ((p.progress as { turn?: number } | undefined)?.turn ?? 0) >= 1),
    llm: llm ? llm.at - t0 : Number.NaN,
    response,
    starting: first((p) => p.state === 'starting'),
    running: first((p) => p.state === 'running'),
  };
}

async function dockerStart(app: LiveApp, i: number, flags: string[]): Promise<StartSample> {
  const name = `aigo-bench-start-${process.pid}-${i}-${Math.random().toString(36).slice(2, 8)}`;
  const llmFrom = app.llmSeen.length;
  const job = { sessionId: `bench-${i}`, group: 'main', prompt: START_PROMPT };
  const t0 = performance.now();
  const child = spawn(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--name',
      name,
      '--network',
      'host',
      '-e',
      `ANTHROPIC_BASE_URL=${app.llm.url}`,
      '-e',
      `ANTHROPIC_API_KEY=${BENCH_KEY}`,
      ...flags,
      app.image,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.end(JSON.stringify(job));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let firstLine = Number.NaN;
  createInterface({ input: child.stdout }).once('line', () => {
    firstLine = performance.now() - t0;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const timer = setTimeout(() => {
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore', timeout: 20_000 });
    child.kill('SIGKILL');
  }, RUN_LIMIT_MS);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0 || !Number.isFinite(firstLine))
    throw new Error(`docker run exited with ${code}: ${stderr.trim().slice(0, 300)}`);
  const llm = app.llmSeen.slice(llmFrom).find((r) => r.scenario === 'start');
  return { firstLine, llm: llm ? llm.at - t0 : Number.NaN };
}

export const median = (xs: number[]) => percentile(xs, 0.5);
export const p90 = (xs: number[]) => percentile(xs, 0.9);
