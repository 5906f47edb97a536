import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp, type AppCore, type AppOptions } from '../../src/main/app';
import { fakeHost } from './fake-host';
import { tempDir } from './temp';

/**
 * The suites that run a second time against Podman (AIGO_TEST_AGENT_NETWORK=host, set by
 * `./dev test` for that pass) put agents on the host's network: Podman always has a bridge, and
 * tests never send traffic to its private-range addresses.
 */
export async function seedEngineSettings(dataDir: string): Promise<void> {
  if (process.env.AIGO_TEST_AGENT_NETWORK !== 'host') return;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'settings.json');
  if (existsSync(file)) return;
  await writeFile(file, JSON.stringify({ runtime: { agentNetwork: 'host' } }), { mode: 0o600 });
}

/** A real core on a free loopback port with its own data folder. */
export async function startTestApp(
  options: Partial<AppOptions> = {},
): Promise<{ core: AppCore; url: string; dataDir: string; stop(): Promise<void> }> {
  const dir = options.dataDir ? null : await tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  await seedEngineSettings(dataDir);
  const core = await createApp({
    mode: 'headless',
    dataDir,
    port: 0,
    proxyPort: 0,
    hostEnv: fakeHost(),
    ...options,
  });
  return {
    core,
    url: core.api.url,
    dataDir,
    stop: async () => {
      await core.stop();
      await dir?.cleanup();
    },
  };
}
