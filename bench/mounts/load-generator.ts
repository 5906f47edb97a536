import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { spawnRole } from './common';

export const WARM_UP = 500;

export interface LoadSpec {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  requests: number;
  concurrency: number;
}

/** The load generator's process: kept-alive connections, a warm-up, then the timed requests. */
export async function loadRole(spec: LoadSpec): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  let failed = 0;
  let lastFailure = '';
  const one = () =>
    new Promise<void>((done) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: spec.port,
          path: spec.path,
          method: 'POST',
          agent,
          headers: {
            host: `127.0.0.1:${spec.port}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(spec.body),
            ...spec.headers,
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            failed++;
            lastFailure = `HTTP ${res.statusCode}`;
          }
          res.resume();
          res.on('end', () => done());
        },
      );
      req.on('error', (error) => {
        failed++;
        lastFailure = error.message;
        done();
      });
      req.end(spec.body);
    });
  const drive = async (total: number) => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        while (sent < total) {
          sent++;
          await one();
        }
      }),
    );
  };
  await drive(WARM_UP);
  failed = 0;
  const started = performance.now();
  await drive(spec.requests);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(
    `${JSON.stringify({ rps: spec.requests / seconds, failed, lastFailure })}\n`,
  );
}

export async function runLoad(spec: LoadSpec): Promise<number> {
  const child = spawnRole('load', spec);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
    rps: number;
    failed: number;
    lastFailure: string;
  };
  if (code !== 0 || result.failed)
    throw new Error(
      `load generator: exit ${code}, ${result.failed} failed (${result.lastFailure})`,
    );
  return result.rps;
}
