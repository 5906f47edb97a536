import { spawn } from 'node:child_process';
import { AppError } from '../../../shared/errors';

/** What the host can do for the UI outside the page: open a folder in the file manager. */
export interface HostShell {
  readonly canOpenPath: boolean;
  readonly canPickFolder: boolean;
  openPath(path: string): Promise<void>;
  /** The chosen folder, or null when the user cancelled. */
  pickFolder(): Promise<string | null>;
}

/**
 * Headless mode: the server may have no desktop at all. Open folders with the platform's opener
 * when there is a display, and otherwise say where the folder is.
 */
export function headlessShell(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): HostShell {
  const opener = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
  const hasDesktop = platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return {
    canOpenPath: hasDesktop,
    canPickFolder: false,
    pickFolder() {
      return Promise.reject(
        new AppError(
          'UNSUPPORTED',
          'The folder picker exists only in the desktop app; type the path instead.',
        ),
      );
    },
    openPath(path) {
      if (!hasDesktop) {
        return Promise.reject(
          new AppError(
            'UNSUPPORTED',
            `This machine has no desktop to open folders on. The folder is ${path}.`,
            { path },
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const child = spawn(opener, [path], { detached: true, stdio: 'ignore' });
        child.once('error', (error) =>
          reject(
            new AppError(
              'UNSUPPORTED',
              `Could not open ${path} with ${opener}: ${error.message}.`,
              { path },
            ),
          ),
        );
        child.once('spawn', () => {
          child.unref();
          resolve();
        });
      });
    },
  };
}
