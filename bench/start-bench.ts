import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tempDir } from '../test/helpers/temp';
import { ms, ratio, sleep } from './sessions/stats';
import { cpuByModule } from './start/profile-summary';

/**
 * Headless start: `aigo serve` spawned → `GET /api/v1/container/runtime` answers 200 with the
 * runtime's status (the API token presented, as the page does), against a bare Node HTTP server
 * spawned → it answers. Five runs each, alternated, medians.
 */
const ROOT = join(import.meta.dirname, '..');
const RUNS = 5;

async function untilAnswers(
  url: () => string | null,
  deadline: number,
  headers: () => Record<string, string>,
): Promise<void> {
  for (;;) {
    const target = url();
    if (target) {
      const ok = await fetch(target, { headers: headers() })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
    }
    if (performance.now() > deadline) throw new Error('no answer within 30 s');
    await sleep(2);
  }
}

async function timeStart(
  args: string[],
  path: string,
  env: NodeJS.ProcessEnv = {},
  tokenFile?: string,
): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  try {
    await untilAnswers(
      () => {
        const match = /(?:API:\s+|listening )(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        return match ? `${match[1]}${path}` : null;
      },
      started + 30_000,
      () => {
        // Written before the API listens, so it is there once the link is printed.
        const token =
          tokenFile && existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
        return token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>);
      },
    );
    return performance.now() - started;
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}

export async function startBench(): Promise<void> {
  if (!existsSync(join(ROOT, 'out/main/cli.js'))) {
    console.log('\n[skip] start: the app is not built (npm run build)');
    return;
  }
  const bare = `require('node:http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () { console.log('listening http://127.0.0.1:' + this.address().port); });`;
  const aigo: number[] = [];
  const node: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dir = await tempDir('aigo-start-bench-');
    try {
      node.push(await timeStart(['-e', bare], '/'));
      aigo.push(
        await timeStart(
          ['bin/aigo.js', 'serve', '--port', '0', '--data-dir', dir.path],
          '/api/v1/container/runtime',
          { AIGO_PROXY_PORT: '0' },
          join(dir.path, 'api-token'),
        ),
      );
    } finally {
      await dir.cleanup();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nHeadless start → the runtime API answers (median of ${RUNS})`);
  console.table({
    'start → first answer': {
      'aigo serve ms': ms(median(aigo)),
      'bare Node HTTP server ms': ms(median(node)),
      ratio: ratio(median(aigo), median(node)),
      target: '≤ 250 ms, ≤ 2.5x',
    },
  });
  await profileOneStart();
}

/** One more start under `--cpu-prof` (slower: the profiler is on), to show where time goes. */
async function profileOneStart(): Promise<void> {
  const dir = await tempDir('aigo-start-prof-');
  try {
    await timeStart(
      [
        '--cpu-prof',
        '--cpu-prof-dir',
        dir.path,
        'bin/aigo.js',
        'serve',
        '--port',
        '0',
        '--data-dir',
        join(dir.path, 'data'),
      ],
      '/api/v1/container/runtime',
      { AIGO_PROXY_PORT: '0' },
      join(dir.path, 'data', 'api-token'),
    );
    const profile = readdirSync(dir.path).find((name) => name.endsWith('.cpuprofile'));
    if (!profile) return;
    console.log('CPU of one start to its first answer, by module (ms of self time, --cpu-prof):');
    console.table(await cpuByModule(join(dir.path, profile)));
  } finally {
    await dir.cleanup();
  }
}
