import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

describe.runIf(run)('Settings > Health in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    app = await startE2eApp({
      env: { AIGO_AGENT_IMAGE: `aigo-agent-runner-health:${process.pid}` },
    });
    ({ serve, browser } = app);
  });
  afterAll(() => app?.stop());

  it('lists what is fine and what to fix, links to the fix, and follows changes live', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-health').click();
    const item = (text: string) => page.getByTestId('health-item').filter({ hasText: text });
    await expect
      .poll(() => item('Container runtime: Docker').getAttribute('data-status'))
      .toBe('ok');
    expect(await item('Agent image is not built').getAttribute('data-status')).toBe('warn');
    expect(await item('No credential mapping').getAttribute('data-status')).toBe('warn');
    await screenshot(page, 'health');

    // A mapping added elsewhere (the API) clears the warning without a reload.
    const res = await app.api('POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'Anthropic',
      kind: 'anthropic',
      upstreamUrl: 'http://127.0.0.1:9',
      apiKey: 'sk-ant-api03-healthtest-0000000000',
    });
    expect(res.status).toBe(201);
    await expect.poll(() => item('No credential mapping').count()).toBe(0);

    await item('Agent image is not built').getByRole('link', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('image-card').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
