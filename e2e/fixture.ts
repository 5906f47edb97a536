import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServe, type ServeProcess } from '../test/helpers/serve-process';
import { tempDir } from '../test/helpers/temp';
import { REAL_KEY, SESSION_TEST_IMAGE } from '../test/helpers/agent-app';
import { ensureNodeBaseImage } from '../test/helpers/node-base-image';
import { waitUntil } from '../test/helpers/wait';
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

/**
 * `aigo serve` ready to run agents: the agent image (tag SESSION_TEST_IMAGE) built on the offline
 * base, and a credential-proxy mapping to the scripted model at `llmUrl` holding REAL_KEY.
 */
export async function startAgentE2eApp(llmUrl: string): Promise<E2eApp> {
  const app = await startE2eApp({ env: { AIGO_AGENT_IMAGE: SESSION_TEST_IMAGE } });
  try {
    await app.api('PATCH', '/api/v1/settings', {
      image: { baseImage: ensureNodeBaseImage(), installTools: false },
    });
    await app.api('POST', '/api/v1/container/image/build', {});
    await waitUntil(
      async () =>
        (
          (await (await app.api('GET', '/api/v1/container/image/status')).json()) as {
            state: string;
          }
        ).state === 'ready',
      'the agent image',
    );
    const mapping = await app.api('POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'Scripted model',
      kind: 'anthropic',
      upstreamUrl: llmUrl,
      placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
      apiKey: REAL_KEY,
    });
    if (mapping.status !== 201) throw new Error(`mapping refused: ${await mapping.text()}`);
    return app;
  } catch (error) {
    await app.stop();
    throw error;
  }
}
