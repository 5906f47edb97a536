import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { realHostEnv } from '../src/main/services/runtime/host-env';
import { startTestApp } from '../test/helpers/app';
import { ensureNodeBaseImage } from '../test/helpers/node-base-image';
import { dockerRequirement } from '../test/helpers/requirements';
import { ms, ratio, summarize } from './sessions/stats';

/**
 * The proxy's container check (Settings > Credential Proxy > Check from a container: a
 * container made as agent containers are calls the proxy) against the same script in a bare
 * `docker run --rm` of the same image on the same engine. Alternated, median of 7.
 */
const RUNS = 7;

function dockerRun(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker run exited ${code}: ${out}`)),
    );
  });
}

export async function containerCheckBench(): Promise<void> {
  const docker = dockerRequirement();
  if (!docker.ok) {
    console.log(`\n[skip] container check: ${docker.reason}`);
    return;
  }
  const image = ensureNodeBaseImage();
  const app = await startTestApp({ hostEnv: realHostEnv() });
  try {
    const proxy = app.core.services.proxy;
    const port = proxy.status().port as number;
    const script = `fetch('http://127.0.0.1:${port}/__aigo/health').then(async (r) => console.log(r.status, await r.text()))`;
    const bare = [
      'run',
      '--rm',
      '--network',
      'host',
      '--user',
      '1000:1000',
      image,
      'node',
      '-e',
      script,
    ];
    // One of each first: the image's layers and node's files into the page cache.
    await proxy.checkFromContainer(image);
    await dockerRun(bare);
    const aigo: number[] = [];
    const reference: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      const result = await proxy.checkFromContainer(image);
      if (result.result !== 'reachable') throw new Error(`check: ${JSON.stringify(result)}`);
      aigo.push(performance.now() - started);
      started = performance.now();
      const out = await dockerRun(bare);
      if (!out.includes('aigo-credential-proxy')) throw new Error(`bare run: ${out}`);
      reference.push(performance.now() - started);
    }
    const a = summarize(aigo).p50;
    const b = summarize(reference).p50;
    console.log(
      `\nContainer start: the proxy's container check vs a bare docker run --rm (median of ${RUNS})`,
    );
    console.table({
      'proxy check from a container': {
        'aigo ms': ms(a),
        'docker run --rm ms': ms(b),
        ratio: ratio(a, b),
        target: '≤ 1.15x',
      },
    });
  } finally {
    await app.stop();
  }
}
