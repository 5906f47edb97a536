import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startRole } from './proxy/processes';
import { ratio } from './sessions/stats';

/**
 * The credential proxy (the real service, strict, a session token presented as a container
 * does) against plain Node, each in its own process, with the upstream in a third and this
 * process as the load generator: 1 KB POSTs over kept-alive connections at
 * concurrency 16 and 64; requests per second, and CPU per request of the proxy's process (from
 * /proc). Three rotated repetitions, medians.
 */
const REQUESTS = Number(process.env.BENCH_PROXY_REQUESTS ?? 20_000);
const REPS = 3;
const KEY = 'sk-ant-api03-BENCHKEY-abcdefghijklmnopqrstuvwxyz';
const BODY = JSON.stringify({
  model: 'claude',
  messages: [{ role: 'user', content: 'x'.repeat(960) }],
});

async function load(port: number, headers: Record<string, string>, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/messages',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(BODY),
            ...headers,
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            failed++;
            lastFailure = `HTTP ${res.statusCode}`;
          }
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(BODY);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < REQUESTS) {
        sent++;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: REQUESTS / seconds, failed };
}

let lastFailure = '';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function proxyProcessBench(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('\n[skip] proxy processes bench: reads CPU time from /proc (Linux only)');
    return;
  }
  const upstream = await startRole('upstream');
  const plain = await startRole('plain', `http://127.0.0.1:${upstream.port}`);
  const aigo = await startRole('aigo', `http://127.0.0.1:${upstream.port}`);
  try {
    const targets = {
      plain: { child: plain, headers: { 'x-api-key': KEY } },
      aigo: {
        child: aigo,
        headers: { 'x-api-key': 'CREDENTIAL_PROXY_PLACEHOLDER', 'x-aigo-session': aigo.extra },
      },
    };
    const results: Record<string, Record<string, number[]>> = {};
    for (const concurrency of [16, 64])
      for (let rep = 0; rep < REPS; rep++)
        for (const name of rep % 2 ? (['aigo', 'plain'] as const) : (['plain', 'aigo'] as const)) {
          const target = targets[name];
          const cpuBefore = target.child.cpuMicros();
          const { rps, failed } = await load(target.child.port, target.headers, concurrency);
          const cpu = (target.child.cpuMicros() - cpuBefore) / REQUESTS;
          if (failed) throw new Error(`${name}: ${failed} requests failed (${lastFailure})`);
          const row = (results[`${name} c${concurrency}`] ??= { rps: [], cpu: [] });
          row.rps!.push(rps);
          row.cpu!.push(cpu);
        }
    const get = (name: string, what: 'rps' | 'cpu') => median(results[name]![what]!);
    console.log(
      `\nCredential proxy vs plain node:http, separate processes (${REQUESTS} 1 KB POSTs per run, median of ${REPS})`,
    );
    console.table({
      'req/s, concurrency 16': {
        aigo: Math.round(get('aigo c16', 'rps')),
        'plain Node': Math.round(get('plain c16', 'rps')),
        ratio: ratio(get('aigo c16', 'rps'), get('plain c16', 'rps')),
        target: '≥ 0.9',
      },
      'req/s, concurrency 64': {
        aigo: Math.round(get('aigo c64', 'rps')),
        'plain Node': Math.round(get('plain c64', 'rps')),
        ratio: ratio(get('aigo c64', 'rps'), get('plain c64', 'rps')),
        target: '≥ 0.9',
      },
      'CPU µs per request, c16': {
        aigo: Math.round(get('aigo c16', 'cpu')),
        'plain Node': Math.round(get('plain c16', 'cpu')),
        ratio: ratio(get('aigo c16', 'cpu'), get('plain c16', 'cpu')),
        target: '≤ 1.15x',
      },
    });
  } finally {
    await aigo.stop();
    await plain.stop();
    await upstream.stop();
  }
}
