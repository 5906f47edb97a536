import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { homedir, networkInterfaces, platform, arch, release } from 'node:os';
import { delimiter, join } from 'node:path';

/** The facts about the host that runtime detection depends on; replaced in tests. */
export interface HostEnv {
  platform: NodeJS.Platform;
  arch: string;
  /** Darwin kernel major (24 = macOS 15); 0 elsewhere. */
  darwinMajor: number;
  home: string;
  env: NodeJS.ProcessEnv;
  /** True when the path exists and is a socket (or, on Windows, a pipe name). */
  socketExists(path: string): Promise<boolean>;
  /** Finds an executable on PATH without running it. */
  which(command: string): Promise<string | null>;
  /** Runs a command with a timeout; never throws. */
  run(
    command: string,
    args: string[],
    timeoutMs: number,
  ): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }>;
  interfaceIPv4(name: string): string | null;
}

export function realHostEnv(): HostEnv {
  const env = process.env;
  return {
    platform: platform(),
    arch: arch(),
    darwinMajor: platform() === 'darwin' ? Number(release().split('.')[0]) || 0 : 0,
    home: homedir(),
    env,
    async socketExists(path) {
      if (path.startsWith('//./pipe/') || path.startsWith('\\\\.\\pipe\\')) return true;
      try {
        return (await stat(path)).isSocket();
      } catch {
        return false;
      }
    },
    async which(command) {
      const exts = platform() === 'win32' ? ['.exe', '.cmd', ''] : [''];
      for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
        for (const ext of exts) {
          const candidate = join(dir, command + ext);
          try {
            await access(candidate, constants.X_OK);
            return candidate;
          } catch {
            // keep looking
          }
        }
      }
      return null;
    },
    run(command, args, timeoutMs) {
      return new Promise((resolve) => {
        execFile(
          command,
          args,
          { timeout: timeoutMs, windowsHide: true },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            resolve({
              code,
              stdout: String(stdout),
              stderr: String(stderr),
              ...(error ? { error: error.message } : {}),
            });
          },
        );
      });
    },
    interfaceIPv4(name) {
      const found = networkInterfaces()[name]?.find((a) => a.family === 'IPv4' && !a.internal);
      return found?.address ?? null;
    },
  };
}
