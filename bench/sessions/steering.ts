import { watch } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../../src/main/services/fs/atomic-write';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { text, type Turn } from '../../test/helpers/scripted-llm';
import type { LiveApp } from './live-app';
import { gap, sleep, summarize, waitFor, type Summary } from './stats';

export const STEER_MESSAGES = 200;
const WARMUP_MESSAGES = 10;
/** The peer's design: the container looks at its input folder every 500 ms. */
export const PEER_CONTAINER_POLL_MS = 500;
const GAP = [5, 25] as const;
const STEP_LIMIT_MS = 10_000;
const PHASE_LIMIT_MS = 120_000;
/** Idle steps wait for the runner to take each message: slower (see the report). */
const IDLE_PHASE_LIMIT_MS = 360_000;
/** The held LLM request is answered after this at the latest, whatever happens. */
const HOLD_LIMIT_MS = 180_000;
export const STEER_PROMPT = 'SCENARIO:steer wait for my messages';

/**
 * The scripted LLM's part: the session's first request is held open (the agent is "thinking")
 * until `release()`; every later one is answered at once.
 */
export class SteerScript {
  private requests = 0;
  private releaseHold: () => void = () => undefined;
  private readonly hold = new Promise<void>((resolve) => (this.releaseHold = resolve));
  heldAt: number | null = null;

  turn(): Turn {
    this.requests++;
    if (this.requests > 1) return { blocks: [text('ok')] };
    return {
      blocks: [text('Done thinking.')],
      before: async () => {
        this.heldAt = performance.now();
        await Promise.race([this.hold, sleep(HOLD_LIMIT_MS)]);
      },
    };
  }

  release(): void {
    this.releaseHold();
  }
}

export interface SteeringResult {
  /** Mid-turn (the LLM holds the runner's request): API call → file in ipc/input/ (fs.watch). */
  busyAppear: Summary;
  /** Same files, seen by the peer's 500 ms poller of the same folder. */
  busyPoller: Summary;
  busyHttp: Summary;
  /** Idle (the runner waits for a follow-up, idleTimeoutSecs): API call → file appears. */
  idleAppear: Summary;
  /** Same files, when the peer's 500 ms poller saw (or would have seen) them. */
  idlePoller: Summary;
  /** … → the runner took it (deleted it from ipc/input/: it is now its next prompt). */
  idleTaken: Summary;
  idleHttp: Summary;
  /** The disk under the steering: writeFileAtomic (write, fsync, rename) every 50 ms meanwhile. */
  diskProbe: Summary;
  failures: string[];
}

/**
 * Times what the API does for each steering file (write, fsync, rename) on the same file
 * system, 20 times a second, in this process, so a slow tail can be put down to the disk.
 */
function startDiskProbe(dir: string): () => Promise<number[]> {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    await mkdir(dir, { recursive: true });
    for (let i = 0; running && i < 20_000; i++) {
      const t0 = performance.now();
      await writeFileAtomic(join(dir, `probe-${i % 8}.json`), '{"type":"message","text":"probe"}');
      times.push(performance.now() - t0);
      await sleep(50);
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    return times;
  };
}

/**
 * Steering through the real HTTP API of `aigo serve` (its own process): `POST
 * /api/v1/container/sessions/{id}/messages` → the steering file in the session's ipc/input/,
 * seen by an fs.watch on the host folder (the runner watches the same folder through its bind
 * mount, on the same kernel). Two states: the agent mid-turn, and idle between turns.
 */
export async function steeringBench(app: LiveApp, script: SteerScript): Promise<SteeringResult> {
  const failures: string[] = [];
  const group = (await app.call('groups.create', {
    name: 'steer-bench',
    containerConfig: { idleTimeoutSecs: 600 },
  })) as Group;
  const session = (await app.call('sessions.create', {
    group: group.name,
    prompt: STEER_PROMPT,
  })) as Session;
  const input = join(app.dataDir, 'sessions', group.folder, session.id, 'ipc', 'input');
  await waitFor('the runner asks the LLM (held)', () => script.heldAt, 60_000, 5);

  // fs.watch gives `rename` for a name when it appears and again when it goes.
  const appeared: string[] = [];
  const appearAt = new Map<string, number>();
  const goneAt = new Map<string, number>();
  const watcher = watch(input, (event, filename) => {
    const at = performance.now();
    const name = filename?.toString();
    if (event !== 'rename' || !name || name.startsWith('.') || !name.endsWith('.json')) return;
    if (name === 'job.json') return;
    if (!appearAt.has(name)) {
      appearAt.set(name, at);
      appeared.push(name);
    } else if (!goneAt.has(name)) goneAt.set(name, at);
  });
  // The peer's container: readdir every 500 ms. Each tick is kept, so a file our runner took
  // before the poller looked still gets the time the peer would have seen it: the end of the
  // first tick that started after the file appeared.
  const polledAt = new Map<string, number>();
  const ticks: { start: number; end: number }[] = [];
  let polling = false;
  const poller = setInterval(() => {
    if (polling || ticks.length > 10_000) return;
    polling = true;
    const start = performance.now();
    void readdir(input)
      .then((names) => {
        const end = performance.now();
        ticks.push({ start, end });
        for (const name of names) if (!polledAt.has(name)) polledAt.set(name, end);
      })
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, PEER_CONTAINER_POLL_MS);
  const peerSaw = (name: string): number | undefined => {
    const direct = polledAt.get(name);
    if (direct !== undefined) return direct;
    const appeared = appearAt.get(name);
    return appeared === undefined ? undefined : ticks.find((t) => t.start >= appeared)?.end;
  };

  const sessionUpdates = (from: number) =>
    app.events.forSession(session.id, from).filter((e) => e.name === 'session.updated');
  const steer = async (i: number) => {
    const before = appeared.length;
    const t0 = performance.now();
    await app.call('sessions.message', { id: session.id, text: `bench steering ${i}` });
    const http = performance.now() - t0;
    const name = await waitFor(`steering file ${i} appears`, () => appeared[before], STEP_LIMIT_MS);
    return { name, t0, http };
  };

  let probe: number[] = [];
  const stopProbe = startDiskProbe(join(app.dataDir, 'bench-disk-probe'));
  const busy: { name: string; t0: number; http: number }[] = [];
  const idle: { name: string; t0: number; http: number }[] = [];
  try {
    // A. Mid-turn: the files pile up in ipc/input/ until the turn ends.
    let deadline = performance.now() + PHASE_LIMIT_MS;
    for (let i = 0; i < WARMUP_MESSAGES + STEER_MESSAGES && performance.now() < deadline; i++) {
      await gap(GAP[0], GAP[1]);
      const sent = await steer(i);
      if (i >= WARMUP_MESSAGES) busy.push(sent);
    }
    await waitFor(
      'the 500 ms poller sees every file',
      () => busy.every((s) => polledAt.has(s.name)),
      3 * PEER_CONTAINER_POLL_MS,
      10,
    ).catch((e: Error) => failures.push(e.message));

    // B. Idle: the turn ends (taking the piled-up messages), the runner answers and waits.
    const released = app.events.events.length;
    script.release();
    await waitFor(
      'the session goes idle',
      () => sessionUpdates(released).find((e) => e.payload.state === 'idle'),
      60_000,
      5,
    );
    deadline = performance.now() + IDLE_PHASE_LIMIT_MS;
    for (let i = 0; i < WARMUP_MESSAGES + STEER_MESSAGES && performance.now() < deadline; i++) {
      await gap(GAP[0], GAP[1]);
      const from = app.events.events.length;
      const sent = await steer(1000 + i);
      await waitFor(`the runner takes file ${i}`, () => goneAt.get(sent.name), STEP_LIMIT_MS, 5);
      // Taken → running (follow_up) → answered → idle again, before the next message.
      await waitFor(
        `the session is idle again after follow-up ${i}`,
        () => {
          const updates = sessionUpdates(from);
          const running = updates.findIndex((e) => e.payload.state === 'running');
          return running >= 0 && updates.slice(running).some((e) => e.payload.state === 'idle');
        },
        STEP_LIMIT_MS,
        2,
      );
      if (i >= WARMUP_MESSAGES) idle.push(sent);
    }
    const lastAppear = Math.max(0, ...idle.map((s) => appearAt.get(s.name) ?? 0));
    await waitFor(
      'a poller tick after the last file',
      () => ticks.some((t) => t.start >= lastAppear),
      3 * PEER_CONTAINER_POLL_MS,
      10,
    ).catch((e: Error) => failures.push(e.message));
  } finally {
    clearInterval(poller);
    watcher.close();
    probe = await stopProbe();
    script.release();
    await app.call('sessions.stop', { id: session.id }).catch(() => undefined);
    await waitFor(
      'the steered session ends',
      () => sessionUpdates(0).find((e) => e.payload.state === 'ended'),
      30_000,
      20,
    ).catch((e: Error) => failures.push(e.message));
  }

  const since = (
    sent: { name: string; t0: number }[],
    seen: Map<string, number> | ((name: string) => number | undefined),
  ) =>
    sent.flatMap((s) => {
      const at = typeof seen === 'function' ? seen(s.name) : seen.get(s.name);
      return at === undefined ? [] : [at - s.t0];
    });
  return {
    busyAppear: summarize(since(busy, appearAt)),
    busyPoller: summarize(since(busy, peerSaw)),
    busyHttp: summarize(busy.map((s) => s.http)),
    idleAppear: summarize(since(idle, appearAt)),
    idlePoller: summarize(since(idle, peerSaw)),
    idleTaken: summarize(since(idle, goneAt)),
    idleHttp: summarize(idle.map((s) => s.http)),
    diskProbe: summarize(probe),
    failures,
  };
}
