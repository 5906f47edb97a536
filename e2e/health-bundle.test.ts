import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run = requirePart('Chromium', chromiumRequirement());

describe.runIf(run)('Save diagnostics… on the Health page', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;
  const key = 'sk-ant-api03-bundle-e2e-0123456789abcdef';

  beforeAll(async () => {
    app = await startE2eApp({
      env: { AIGO_AGENT_IMAGE: `aigo-agent-runner-bundle:${process.pid}` },
    });
    ({ serve, browser } = app);
    const res = await app.api('POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'Anthropic',
      kind: 'anthropic',
      upstreamUrl: 'http://127.0.0.1:9',
      apiKey: key,
    });
    expect(res.status).toBe(201);
  });
  afterAll(() => app?.stop());

  it('downloads the zip with the page’s token; no secret is inside', async () => {
    const page = await browser.newPage({
      viewport: { width: 1100, height: 900 },
      acceptDownloads: true,
    });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-health').click();
    const button = page.getByTestId('diagnostics-save');
    await expect.poll(() => button.isEnabled()).toBe(true);
    expect(await page.getByTestId('diagnostics-explain').textContent()).toContain('removed');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^aigo-diagnostics-.+\.zip$/);
    const path = join(app.dir, download.suggestedFilename());
    await download.saveAs(path);
    const bytes = new Uint8Array(await readFile(path));
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.txt', 'doctor.json']));
    const token = (await readFile(join(app.dataDir, 'api-token'), 'utf8')).trim();
    for (const secret of [token, key])
      for (const data of [bytes, ...Object.values(files)])
        expect(Buffer.from(data).includes(Buffer.from(secret))).toBe(false);
    await expect.poll(() => page.getByTestId('diagnostics-saved').count()).toBe(1);
    await screenshot(page, 'health-bundle');
    expect(errors).toEqual([]);
  });

  it('is disabled, with the reason, without the token', async () => {
    const page = await browser.newPage();
    await page.goto(serve.url);
    await page.getByTestId('nav-health').click();
    const button = page.getByTestId('diagnostics-save');
    await expect.poll(() => button.count()).toBe(1);
    expect(await button.isDisabled()).toBe(true);
    expect(await page.getByTestId('diagnostics-card').textContent()).toContain(
      'Needs the API token',
    );
  });
});
