import { Agent, request } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/main/app';
import { fakeHost } from '../test/helpers/fake-host';
import { tempDir } from '../test/helpers/temp';

const KEY = 'sk-ant-api03-BENCHKEY-abcdefghijklmnopqrstuvwxyz';
const REQUESTS = 3000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SSE_RUNS = 100;

/** An upstream that answers at once: the benchmark measures the proxy, not the upstream. */
async function upstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/v1/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"text":"first"}\n\n');
        setTimeout(() => res.end(`data: {"text":"last"}\n\n`), 50);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"msg","content":[{"type":"text","text":"ok"}]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** One request; resolves when the response ends, with the time to its first body chunk and to its end. */
function once(
  base: string,
  path: string,
  headers: Record<string, string>,
  agent: Agent,
): Promise<{ first: number; total: number }> {
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let first = -1;
        res.on('data', () => {
          if (first < 0) first = performance.now() - started;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve({ first, total: performance.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end('{"model":"m","max_tokens":1}');
  });
}

async function load(
  base: string,
  headers: Record<string, string>,
): Promise<{ rps: number; p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        latencies.push((await once(base, '/v1/messages', headers, agent)).total);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
  return { rps: REQUESTS / elapsed, p50: pick(0.5), p99: pick(0.99) };
}

async function firstChunk(base: string, headers: Record<string, string>): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < SSE_RUNS; i++)
    times.push((await once(base, '/v1/stream', headers, agent)).first);
  agent.destroy();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export async function proxyBench(): Promise<void> {
  const up = await upstream();
  const dir = await tempDir('aigo-bench-');
  const app = await createApp({
    mode: 'headless',
    dataDir: dir.path,
    port: 0,
    proxyPort: 0,
    hostEnv: fakeHost(),
  });
  try {
    await app.services.proxy.createMapping({
      name: 'bench',
      kind: 'anthropic',
      upstreamUrl: up.url,
      auth: { type: 'x-api-key' },
      apiKey: KEY,
    });
    const s = app.services.proxy.status();
    const proxyBase = `http://${s.bindAddress}:${s.port}`;
    const viaProxy = {
      'x-api-key': 'CREDENTIAL_PROXY_PLACEHOLDER',
      'x-aigo-session': app.services.proxy.containerConfig('bench').token,
    };
    const direct = { 'x-api-key': KEY };

    await load(up.url, direct); // warm-up, both paths
    await load(proxyBase, viaProxy);
    const d = await load(up.url, direct);
    const p = await load(proxyBase, viaProxy);
    const dFirst = await firstChunk(up.url, direct);
    const pFirst = await firstChunk(proxyBase, viaProxy);

    const f = (n: number) => n.toFixed(2);
    console.log(
      `\nCredential proxy vs direct to the same local upstream (${REQUESTS} requests, ${CONCURRENCY} concurrent; SSE first chunk median of ${SSE_RUNS})`,
    );
    console.table({
      direct: {
        'req/s': Math.round(d.rps),
        'p50 ms': f(d.p50),
        'p99 ms': f(d.p99),
        'first SSE chunk ms': f(dFirst),
      },
      'via proxy': {
        'req/s': Math.round(p.rps),
        'p50 ms': f(p.p50),
        'p99 ms': f(p.p99),
        'first SSE chunk ms': f(pFirst),
      },
    });
    console.log(`throughput ratio proxy/direct: ${(p.rps / d.rps).toFixed(2)}`);
    console.log(
      `added latency: p50 +${f(p.p50 - d.p50)} ms, p99 +${f(p.p99 - d.p99)} ms; first SSE chunk +${f(pFirst - dFirst)} ms`,
    );
  } finally {
    await app.stop();
    up.server.close();
    await dir.cleanup();
  }
}
