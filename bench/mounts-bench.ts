// `npm run bench -- mounts`: the mount checks against plain Node doing the same file system work,
// in the same run.
//   1. The mask scan of a generated tree of 100,000 files in 10,000 folders against a plain walk
//      of it (readdir with file types, lstat of every file), median of five, alternated.
//   2. POST /api/v1/container/mounts/validate on a real `aigo serve` against a plain node:http
//      server doing the same file system work for the request's folder, each in its own
//      process, with the load generator in a third: requests per second at concurrency 8.
// Child roles (`node --import tsx bench/mounts-bench.ts <role> <json>`): `plain` (the reference
// server) and `load` (the load generator); `scan` or `validate` runs one section alone.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, type Dirent } from 'node:fs';
import { link, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { createServer as createSocketServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanForMasks, type MaskScanResult } from '../src/main/services/mounts/mask-scan';
import { collectSecretInodes } from '../src/main/services/mounts/secret-inodes';
import { DEFAULT_BLOCKED_PATTERNS } from '../src/shared/schemas/mounts';
import { tempDir } from '../test/helpers/temp';
import { ready, type Child } from './proxy/processes';
import { ms, ratio } from './sessions/stats';

const ROOT = join(import.meta.dirname, '..');
const SELF = import.meta.filename;
/** Generated once and kept: creating 110,000 files takes longer than scanning them. */
const CACHE = join(ROOT, 'node_modules/.cache/aigo-bench/mounts-v1');

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

// ---------------------------------------------------------------------------------------------
// 1. The mask scan

const SCAN_RUNS = 5;

/**
 * 100 packages of 100 folders (10,000), ten files each (100,000), and what a real project
 * hides: .env files at several depths, a private key, a FIFO, a git config with a token in
 * its remote URL; a socket is added while the scan runs. Also a user's home beside it, with
 * keys for the hard-link check.
 */
async function ensureTree(): Promise<{ tree: string; home: string }> {
  const tree = join(CACHE, 'tree');
  const home = join(CACHE, 'home');
  if (existsSync(join(CACHE, 'complete'))) return { tree, home };
  console.log('\n(mask scan: generating 100,000 files in 10,000 folders, once)');
  await rm(CACHE, { recursive: true, force: true });
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(home, '.aws'), { recursive: true });
  await writeFile(join(home, '.ssh/id_ed25519'), 'PRIVATE KEY');
  await writeFile(join(home, '.aws/credentials'), 'AWS');
  // Each package: itself, 9 folders, 10 subfolders in each: 100 folders of 10 files.
  for (let p = 0; p < 100; p++) {
    const pkg = join(tree, `package-${p}`);
    const dirs = [pkg];
    for (let f = 0; f < 9; f++) {
      dirs.push(join(pkg, `folder-${f}`));
      for (let s = 0; s < 10; s++) dirs.push(join(pkg, `folder-${f}`, `sub-${s}`));
    }
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 10; i++) closeSync(openSync(join(dir, `module-${i}.ts`), 'w'));
    }
  }
  for (const rel of ['.env', 'package-3/.env.local', 'package-50/folder-4/sub-7/.env'])
    await writeFile(join(tree, rel), 'API_KEY=secret');
  await writeFile(join(tree, 'package-9/folder-2/id_rsa'), 'KEY');
  await mkdir(join(tree, 'package-20/.git'), { recursive: true });
  await writeFile(
    join(tree, 'package-20/.git/config'),
    '[remote "origin"]\n\turl = https://me:token@example.com/r.git\n',
  );
  try {
    execFileSync('mkfifo', [join(tree, 'package-70/folder-1/pipe')]);
  } catch {
    // no mkfifo (not on this platform): the socket still tests a special file
  }
  await writeFile(join(CACHE, 'complete'), '');
  return { tree, home };
}

/** The reference: a plain depth-first walk, a readdir with file types per folder, lstat per file. */
async function plainWalk(root: string): Promise<number> {
  let entries = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let list: Dirent[];
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries += list.length;
    for (const entry of list) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else lstatSync(path);
    }
  }
  return entries;
}

async function maskScanSection(): Promise<void> {
  const { tree, home } = await ensureTree();
  const socketPath = join(tree, 'package-60/agent.sock');
  await rm(socketPath, { force: true });
  const socket = createSocketServer();
  await new Promise<void>((done) => socket.listen(socketPath, done));
  const linked = join(tree, 'package-80/folder-5/sub-5/notes-backup.txt');
  try {
    // The scan's own bounds (5 s, 2,000,000 entries), as a validation runs it.
    const options = async () => ({
      patterns: [...DEFAULT_BLOCKED_PATTERNS],
      protectedPaths: [],
      secretInodes: await collectSecretInodes(home, []),
    });
    const run = async (withHardLink: boolean) => {
      await rm(linked, { force: true });
      if (withHardLink) await link(join(home, '.ssh/id_ed25519'), linked);
      const scanOptions = await options();
      const aigo: number[] = [];
      const plain: number[] = [];
      let last: MaskScanResult | null = null;
      let entries = 0;
      for (let i = 0; i < SCAN_RUNS; i++) {
        const order = i % 2 ? (['plain', 'aigo'] as const) : (['aigo', 'plain'] as const);
        for (const which of order) {
          const started = performance.now();
          if (which === 'aigo') last = await scanForMasks(tree, scanOptions);
          else entries = await plainWalk(tree);
          (which === 'aigo' ? aigo : plain).push(performance.now() - started);
        }
      }
      await rm(linked, { force: true });
      return { aigo: median(aigo), plain: median(plain), result: last as MaskScanResult, entries };
    };
    const usual = await run(false);
    const hardLinked = await run(true);
    for (const r of [usual, hardLinked])
      if (r.result.incomplete) throw new Error('the mask scan stopped before the end of the tree');
    console.log(
      `\nMask scan of ${usual.entries.toLocaleString('en')} entries (100,000 files) vs a plain walk (readdir + lstat of each file), median of ${SCAN_RUNS}`,
    );
    console.table({
      'keys with one name (the usual home)': {
        'aigo ms': ms(usual.aigo),
        'plain walk ms': ms(usual.plain),
        ratio: ratio(usual.aigo, usual.plain),
        complete: !usual.result.incomplete,
        masked: usual.result.masked.length,
        target: '≤ 1.1x, whole tree',
        verdict: verdict(!usual.result.incomplete && usual.aigo <= 1.1 * usual.plain),
      },
      'a key hard-linked in the tree (every file checked)': {
        'aigo ms': ms(hardLinked.aigo),
        'plain walk ms': ms(hardLinked.plain),
        ratio: ratio(hardLinked.aigo, hardLinked.plain),
        complete: !hardLinked.result.incomplete,
        masked: hardLinked.result.masked.length,
        target: '≤ 1.1x, whole tree',
        verdict: verdict(
          !hardLinked.result.incomplete && hardLinked.aigo <= 1.1 * hardLinked.plain,
        ),
      },
    });
    console.log(
      `masked: ${usual.result.masked.map((m) => `${m.path} (${m.pattern})`).join(', ')}; with the hard link also ${hardLinked.result.masked
        .filter((m) => m.pattern.startsWith('hard link'))
        .map((m) => m.path)
        .join(', ')}`,
    );
  } finally {
    await new Promise<void>((done) => socket.close(() => done()));
  }
}

// ---------------------------------------------------------------------------------------------
// 2. POST /api/v1/container/mounts/validate

const VALIDATE_REQUESTS = Number(process.env.BENCH_VALIDATE_REQUESTS ?? 5000);
const VALIDATE_REPS = 3;
const CONCURRENCY = 8;
const WARM_UP = 500;

/** CPU time a server process has used, in µs (Linux: /proc); NaN elsewhere. */
function cpuMicros(child: Child): number {
  try {
    return child.cpuMicros();
  } catch {
    return Number.NaN;
  }
}

interface LoadSpec {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  requests: number;
  concurrency: number;
}

/** The load generator's process: kept-alive connections, a warm-up, then the timed requests. */
async function loadRole(spec: LoadSpec): Promise<void> {
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

/**
 * The reference server: what validating a folder costs in file system work, written plainly —
 * parse the JSON body, realpath the path, stat it, walk it (readdir with file types, lstat of
 * each file), answer with JSON.
 */
function plainRole(): void {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        const { hostPath } = JSON.parse(body) as { hostPath: string };
        const real = await realpath(hostPath);
        const info = await stat(real);
        const files: string[] = [];
        if (info.isDirectory()) {
          const stack = [real];
          while (stack.length > 0) {
            const dir = stack.pop() as string;
            for (const entry of await readdir(dir, { withFileTypes: true })) {
              const path = join(dir, entry.name);
              if (entry.isDirectory()) stack.push(path);
              else {
                lstatSync(path);
                files.push(path.slice(real.length + 1));
              }
            }
          }
        }
        const out = JSON.stringify({ allowed: true, realPath: real, files }, null, 2);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(out);
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

function spawnRole(role: 'plain' | 'load', arg: unknown = {}) {
  return spawn(process.execPath, ['--import', 'tsx', SELF, role, JSON.stringify(arg)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function runLoad(spec: LoadSpec): Promise<number> {
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

async function validateSection(): Promise<void> {
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

export async function mountsBench(): Promise<void> {
  await maskScanSection();
  await validateSection();
}

if (resolve(process.argv[1] ?? '') === SELF) {
  const [role, arg = '{}'] = process.argv.slice(2);
  if (role === 'plain') plainRole();
  else if (role === 'load') await loadRole(JSON.parse(arg) as LoadSpec);
  else if (role === 'scan') await maskScanSection();
  else if (role === 'validate') await validateSection();
  else await mountsBench();
}
