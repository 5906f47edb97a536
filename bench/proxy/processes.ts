import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const HERE = import.meta.dirname;

export interface Child {
  child: ChildProcess;
  port: number;
  /** What the role printed after its port (aigo: a session token). */
  extra: string;
  /** CPU time the process has used so far, in µs (user + system, from /proc). */
  cpuMicros(): number;
  stop(): Promise<void>;
}

let bundled: string | null = null;

/**
 * servers.ts and the services it runs, bundled once per bench run as the app is (esbuild, no
 * per-function name helpers as tsx adds), so the proxy is measured as shipped, not as
 * transpiled on the fly.
 */
function serversBundle(): string {
  if (bundled) return bundled;
  // Inside the checkout, so the packages left external resolve from its node_modules.
  bundled = join(HERE, '..', '..', 'node_modules', '.cache', 'aigo-bench', 'servers.mjs');
  buildSync({
    entryPoints: [join(HERE, 'servers.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    outfile: bundled,
    logLevel: 'error',
  });
  return bundled;
}

/** A server role from servers.ts in its own Node process. */
export function startRole(role: 'upstream' | 'plain' | 'aigo', arg = ''): Promise<Child> {
  const child = spawn(process.execPath, [serversBundle(), role, arg], {
    cwd: join(HERE, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return ready(child);
}

export function ready(child: ChildProcess, pattern = /listening (\d+) ?(\S*)\n/): Promise<Child> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no port from ${child.pid}: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(wrap(child, Number(match[1]), match[2] ?? ''));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

export function wrap(child: ChildProcess, port: number, extra = ''): Child {
  return {
    child,
    port,
    extra,
    cpuMicros: () => cpuMicrosOf(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** utime + stime of a Linux process, in µs (clock ticks are 100 per second on Linux). */
export function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
