import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../test/helpers/fake-upstream';
import { ensureNodeBaseImage } from '../test/helpers/node-base-image';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());
const REAL_KEY = 'sk-ant-api03-E2EREALKEY-abcdefghijklmnop';

describe.runIf(run)('Settings > Container > Credential Proxy in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  const status = async () =>
    (await (await app.api('GET', `/api/v1/container/credential-proxy/status`)).json()) as {
      running: boolean;
      mappingCount: number;
    };

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: REAL_KEY });
    // The container check runs node in the agent image; the offline base image has it.
    app = await startE2eApp({ env: { AIGO_AGENT_IMAGE: ensureNodeBaseImage() } });
    ({ serve, browser } = app);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });
  afterAll(async () => {
    await app?.stop();
    await upstream?.close();
  });

  it('adds a mapping, and Test reports a rejected key for a wrong key', async () => {
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-proxy').click();
    await expect.poll(() => page.getByTestId('proxy-running').textContent()).toBe('Running');
    await page.getByTestId('mapping-add').click();
    const form = page.getByTestId('mapping-form');
    // The key field fits the preset: a local model server asks for no key at all.
    const keyHint = () => form.getByLabel('Real API key').getAttribute('placeholder');
    expect(await keyHint()).toContain('sk-ant-');
    await form.getByLabel('Preset').selectOption('local');
    expect(await form.getByLabel('Real API key').count()).toBe(0);
    expect(await form.getByTestId('mapping-no-key').textContent()).toContain('no credential');
    await form.getByLabel('Preset').selectOption('anthropic');
    expect(await keyHint()).toContain('sk-ant-');
    await form.getByLabel('Upstream URL').fill(upstream.url);
    await form.getByLabel('Real API key').fill('sk-ant-api03-WRONG-000000000000');
    await form.getByTestId('mapping-save').click();
    await expect.poll(() => page.getByTestId('mapping').count()).toBe(1);
    expect(await page.getByTestId('mapping').textContent()).toContain('…0000');
    await expect.poll(async () => (await status()).mappingCount).toBe(1);

    await page.getByTestId('mapping-test').click();
    await expect
      .poll(() => page.getByTestId('mapping-test-result').textContent())
      .toContain('Key rejected');
    expect(await page.getByTestId('mapping-test-result').textContent()).toContain(
      'Check that the real API key is valid',
    );
    await screenshot(page, 'credential-proxy-rejected');
    expect(errors).toEqual([]);
  });

  it('replaces the key (never shown) and Test then accepts it', async () => {
    await page.getByTestId('mapping').getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('mapping-form');
    expect(await form.getByLabel('Real API key').inputValue()).toBe('');
    await form.getByLabel('Real API key').fill(REAL_KEY);
    await form.getByTestId('mapping-save').click();
    await expect
      .poll(() => page.getByTestId('mapping').textContent())
      .toContain(`…${REAL_KEY.slice(-4)}`);
    await page.getByTestId('mapping-test').click();
    await expect
      .poll(() => page.getByTestId('mapping-test-result').textContent())
      .toContain('Key accepted');
    expect(await page.content()).not.toContain(REAL_KEY);
  });

  it('Check from a container reaches the proxy the way agents will', async () => {
    await page.getByTestId('proxy-check').click();
    await expect
      .poll(() => page.getByTestId('proxy-check-result').textContent(), { timeout: 30_000 })
      .toContain('Reachable');
    expect(await page.getByTestId('proxy-check-result').textContent()).toMatch(
      /reached the credential proxy at http:\/\/host-gateway:\d+/,
    );
  });

  it('the toggle stops and starts the proxy, and the status follows', async () => {
    // An unsaved edit in the settings form must survive the refresh the toggle causes.
    const portField = page.getByRole('spinbutton').first();
    await portField.fill('8899');
    await page.getByText('Credential proxy: on').click();
    await expect.poll(() => page.getByTestId('proxy-running').textContent()).toBe('Stopped');
    expect((await status()).running).toBe(false);
    // Off, the card says so: no "listening" address it is not listening on.
    expect(await page.getByTestId('proxy-status').textContent()).toContain('Credential proxy: off');
    expect(await page.getByTestId('proxy-not-listening').count()).toBe(1);
    // The e2e app runs with AIGO_PROXY_PORT=0: the card says the variable overrides the setting.
    expect(await page.getByTestId('proxy-port-override').count()).toBe(1);
    await page.getByText('Credential proxy: off').click();
    await expect.poll(() => page.getByTestId('proxy-running').textContent()).toBe('Running');
    expect(await page.getByTestId('proxy-not-listening').count()).toBe(0);
    expect((await status()).running).toBe(true);
    expect(await portField.inputValue()).toBe('8899');
    await screenshot(page, 'credential-proxy');
  });

  it('a local model server takes no key: added without one, and Test lists its models', async () => {
    const local = await startFakeUpstream({});
    local.route('/', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ models: [{ name: 'llama3.2' }] }));
    });
    try {
      await page.getByTestId('mapping-add').click();
      const form = page.getByTestId('mapping-form');
      await form.getByLabel('Preset').selectOption('local');
      await form.getByLabel('Upstream URL').fill(local.url);
      await form.getByTestId('mapping-save').click();
      const row = page.getByTestId('mapping').filter({ hasText: local.url });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain('no key');
      await row.getByTestId('mapping-test').click();
      await expect
        .poll(() => row.getByTestId('mapping-test-result').textContent())
        .toContain('llama3.2');
      expect(local.requests.at(-1)?.headers.authorization).toBeUndefined();
      await screenshot(page, 'credential-proxy-local-model');
    } finally {
      await local.close();
    }
  });
});
