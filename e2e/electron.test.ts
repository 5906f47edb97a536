import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helper shared with scripts/start.js
import { electronBinary, hasDisplay } from '../scripts/electron-binary.js';
import { dockerRequirement } from '../test/helpers/requirements';
import { requireBuild, ROOT } from '../test/helpers/serve-process';
import { tempDir } from '../test/helpers/temp';
import { screenshot } from './browser';

const binary = (electronBinary as () => string | null)();
const display = (hasDisplay as () => boolean)();
const reason = !binary
  ? 'no Electron binary (it cannot be downloaded on this machine)'
  : !display
    ? 'no display (run under xvfb-run)'
    : null;
if (reason) process.stdout.write(`\n[skip] Electron e2e skipped: ${reason}\n`);

/** The same smoke checks as the browser e2e, in the real desktop window, where Electron can run. */
describe.skipIf(reason !== null)('the desktop app', () => {
  it('opens the settings window over IPC and shows the runtime', async () => {
    requireBuild();
    const dir = await tempDir();
    const app = await electron.launch({
      executablePath: binary as string,
      args: [ROOT],
      env: { ...process.env, AIGO_DATA_DIR: dir.path, AIGO_PORT: '0', AIGO_PROXY_PORT: '0' },
    });
    try {
      const page = await app.firstWindow();
      expect(await page.evaluate(() => typeof (window as unknown as { aigo?: unknown }).aigo)).toBe(
        'object',
      );
      expect(
        await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
      ).toBe('undefined');
      await expect
        .poll(() => page.getByTestId('runtime-name').textContent())
        .toBe(dockerRequirement().ok ? 'Docker' : 'Not available');
      await page.getByTestId('nav-advanced').click();
      await expect.poll(() => page.getByTestId('app-version').textContent()).toBeTruthy();
      await screenshot(page, 'electron-settings');
    } finally {
      await app.close();
      await dir.cleanup();
    }
  });
});
