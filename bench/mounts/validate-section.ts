import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp';
import { ready, type Child } from '../proxy/processes';
import { ratio, verdict } from '../sessions/stats';
import { median, ROOT, spawnRole } from './common';
import { runLoad, WARM_UP } from './load-generator';

// 2. POST /api/v1/container/mounts/validate

const VALIDATE_REQUESTS = Number(process.env.BENCH_VALIDATE_REQUESTS ?? 5000);
const VALIDATE_REPS = 3;
const CONCURRENCY = 8;

/** CPU time a server process has used, in µs (Linux: /proc); NaN elsewhere. */
function cpuMicros(child: Child): number {
  try {
    return child.cpuMicros();
  } catch {
    return Number.NaN;
  }
}

/** A small project: 3 folders, 24 files, a .env the verdict masks. */
async function makeProject(dir: string): Promise<string> {
  const project = join(dir, 'projects/app');
  for (const sub of ['src', 'src/lib', 'docs'])
    await mkdir(join(project, sub), { recursive: true });
  for (let i = 0; i < 8; i++) {
    await writeFile(join(project, `file-${i}.txt`), 'x');
    await writeFile(join(project, 'src', `mod-${i}.ts`), 'x');
    await writeFile(join(project, 'src/lib', `lib-${i}.ts`), 'x');
  }
  await writeFile(join(project, '.env'), 'API_KEY=secret');
  return project;
}

/**
 * `aigo serve` in its own process, as test/helpers/serve-process starts it, with its own home.
 * BENCH_SERVE_FROM_SOURCE=1 runs src/main/cli.ts through tsx instead of the build.
 */
async function startAigo(dataDir: string, home: string) {
  const fromSource = process.env.BENCH_SERVE_FROM_SOURCE === '1';
  const args = fromSource
    ? ['--import', 'tsx', join(ROOT, 'src/main/cli.ts')]
    : [join(ROOT, 'bin/aigo.js')];
  const child = spawn(process.execPath, [...args, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, AIGO_PROXY_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await ready(child, /API:\s+http:\/\/127\.0\.0\.1:(\d+)/);
  return { ...started, url: `http://127.0.0.1:${started.port}` };
}

export async function validateSection(): Promise<void> {
  if (process.env.BENCH_SERVE_FROM_SOURCE !== '1' && !existsSync(join(ROOT, 'out/main/cli.js'))) {
    console.log('\n[skip] validate: the app is not built (npm run build)');
    return;
  }
  const dir = await tempDir('aigo-mounts-bench-');
  const home = join(dir.path, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh/id_ed25519'), 'KEY');
  const project = await makeProject(dir.path);
  const dataDir = join(dir.path, 'data');
  const serve = await startAigo(dataDir, home);
  const plain = await ready(spawnRole('plain'), /listening (\d+)\n/);
  try {
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${token}` };
    const policy = await fetch(`${serve.url}/api/v1/container/mount-security`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        allowedRoots: [{ path: join(dir.path, 'projects'), description: 'bench' }],
      }),
    });
    if (!policy.ok) throw new Error(`policy: HTTP ${policy.status} ${await policy.text()}`);
    const body = JSON.stringify({ hostPath: project });
    const check = (await (
      await fetch(`${serve.url}/api/v1/container/mounts/validate`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      })
    ).json()) as { allowed: boolean; masked: { path: string }[] };
    if (!check.allowed || check.masked.map((m) => m.path).join() !== '.env')
      throw new Error(`unexpected verdict: ${JSON.stringify(check)}`);
    const aigoPort = serve.port;
    const targets = {
      aigo: {
        port: aigoPort,
        path: '/api/v1/container/mounts/validate',
        headers: auth,
        child: serve,
      },
      plain: { port: plain.port, path: '/validate', headers: {}, child: plain },
    };
    const rps: Record<'aigo' | 'plain', number[]> = { aigo: [], plain: [] };
    const cpu: Record<'aigo' | 'plain', number[]> = { aigo: [], plain: [] };
    for (let rep = 0; rep < VALIDATE_REPS; rep++)
      for (const name of rep % 2 ? (['aigo', 'plain'] as const) : (['plain', 'aigo'] as const)) {
        const { child, ...target } = targets[name];
        const cpuBefore = cpuMicros(child);
        rps[name].push(
          await runLoad({
            ...target,
            body,
            requests: VALIDATE_REQUESTS,
            concurrency: CONCURRENCY,
          }),
        );
        // Per request, the warm-up included.
        cpu[name].push((cpuMicros(child) - cpuBefore) / (VALIDATE_REQUESTS + WARM_UP));
      }
    const aigo = median(rps.aigo);
    const reference = median(rps.plain);
    console.log(
      `\nPOST /api/v1/container/mounts/validate (a folder of 27 entries), aigo serve vs plain node:http doing the same file system work, separate processes, ${VALIDATE_REQUESTS} requests per run at concurrency ${CONCURRENCY}, median of ${VALIDATE_REPS}`,
    );
    console.table({
      'validate req/s, concurrency 8': {
        aigo: Math.round(aigo),
        'plain Node': Math.round(reference),
        ratio: ratio(aigo, reference),
        target: '≥ 0.8',
        verdict: verdict(aigo >= 0.8 * reference),
      },
      'CPU µs per request': {
        aigo: Math.round(median(cpu.aigo)),
        'plain Node': Math.round(median(cpu.plain)),
        ratio: ratio(median(cpu.aigo), median(cpu.plain)),
        target: '',
        verdict: '',
      },
    });
  } finally {
    await plain.stop();
    await serve.stop();
    await dir.cleanup();
  }
}
