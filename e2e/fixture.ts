import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServe, type ServeProcess } from '../test/helpers/serve-process';
import { tempDir } from '../test/helpers/temp';
import { launchChromium } from './browser';

export interface E2eApp {
  /** A temp folder for the test's own files; the app's data folder is `dataDir`. */
  dir: string;
  dataDir: string;
  serve: ServeProcess;
  browser: Browser;
  /** A call to the running app's API with its token, as another window or the CLI would. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * What every browser test needs: a temp folder, the built `aigo serve` on free ports with its
 * data folder there, and Debian's Chromium. `prepare` runs before the app starts.
 */
export async function startE2eApp(
  options: {
    env?: NodeJS.ProcessEnv;
    dataSubdir?: string;
    prepare?: (dir: string) => Promise<void>;
  } = {},
): Promise<E2eApp> {
  const temp = await tempDir();
  const dataDir = options.dataSubdir ? join(temp.path, options.dataSubdir) : temp.path;
  let serve: ServeProcess | null = null;
  let browser: Browser | null = null;
  const stop = async () => {
    await browser?.close();
    await serve?.stop();
    await temp.cleanup();
  };
  try {
    await options.prepare?.(temp.path);
    serve = await startServe(dataDir, options.env);
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  const started = serve;
  return {
    dir: temp.path,
    dataDir,
    serve: started,
    browser,
    async api(method, path, body) {
      const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
      return fetch(`${started.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    stop,
  };
}
