import { createApp, type AppCore, type AppOptions } from '../../src/main/app';
import { fakeHost } from './fake-host';
import { tempDir } from './temp';

/** A real core on a free loopback port with its own data folder. */
export async function startTestApp(
  options: Partial<AppOptions> = {},
): Promise<{ core: AppCore; url: string; dataDir: string; stop(): Promise<void> }> {
  const dir = options.dataDir ? null : await tempDir();
  const dataDir = options.dataDir ?? dir!.path;
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
