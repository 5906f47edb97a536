import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { seedEngineSettings } from './app';

export const ROOT = join(import.meta.dirname, '../..');
export const AIGO_BIN = join(ROOT, 'bin/aigo.js');

export function requireBuild(): void {
  if (
    !existsSync(join(ROOT, 'out/main/cli.js')) ||
    !existsSync(join(ROOT, 'out/renderer/index.html'))
  ) {
    throw new Error('The app is not built: run `npm run build` (npm test does it for you).');
  }
}

export interface ServeProcess {
  child: ChildProcess;
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The tokened web UI link `aigo serve` printed. */
  uiLink: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built `aigo serve` on a free port and waits until it has started. */
export async function startServe(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  requireBuild();
  await seedEngineSettings(dataDir);
  const child = spawn(process.execPath, [AIGO_BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, AIGO_PROXY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const uiLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`aigo serve did not start:\n${out}`));
    }, 20_000);
    // The link comes as soon as the API answers; "Press Ctrl+C" once every service started.
    const check = () => {
      const match = /Web UI:\s+(\S+)/.exec(out);
      if (match?.[1] && out.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aigo serve exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    uiLink,
    url: new URL(uiLink).origin,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the built `aigo` CLI to completion. */
export function runAigo(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  requireBuild();
  const result = spawnSync(process.execPath, [AIGO_BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
