import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

describe.runIf(run)('Settings in the browser against `aigo serve`', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    app = await startE2eApp({
      prepare: (dir) =>
        writeFile(join(dir, 'settings.json'), '{"advanced": {"debugLogging": "sometimes"}}'),
    });
    ({ serve, browser } = app);
  });
  afterAll(() => app?.stop());

  it('Container > Runtime shows Docker with its version, and Re-check checks again', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    // The token moves out of the address bar into session storage.
    await page.waitForFunction(() => !location.hash.includes('token='));
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('aigo.apiToken'))).toBeTruthy();

    const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'])
      .toString()
      .trim();
    await page.getByTestId('nav-container').click();
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Docker');
    expect(await page.getByTestId('runtime-version').textContent()).toContain(version);

    const before = await page.getByTestId('runtime-checked-at').textContent();
    await page.waitForTimeout(1100); // the clock shows seconds
    await page.getByTestId('runtime-recheck').click();
    await expect.poll(() => page.getByTestId('runtime-checked-at').textContent()).not.toBe(before);
    await screenshot(page, 'container-runtime');
    expect(errors).toEqual([]);
  });

  it('shows the corrupt-settings warning and lets the user dismiss it', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    const warning = page
      .getByTestId('app-warning')
      .filter({ hasText: 'Settings could not be loaded' });
    await expect.poll(() => warning.textContent()).toContain('Settings could not be loaded');
    expect(await warning.textContent()).toContain('settings.json.corrupt-');
    await screenshot(page, 'settings-warning');
    await warning.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => warning.count()).toBe(0);
  });

  it('Advanced > Debug Logging switches the log level, visible through the API', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-advanced').click();
    const level = async () =>
      ((await (await app.api('GET', `/api/v1/status`)).json()) as { logLevel: string }).logLevel;
    expect(await level()).toBe('info');
    await page.getByText('Debug Logging').click();
    await expect.poll(level).toBe('debug');
    await expect.poll(() => page.getByTestId('log-level').textContent()).toBe('debug');
    const saved = JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8'));
    expect(saved.advanced.debugLogging).toBe(true);
    expect(await page.getByTestId('data-dir').textContent()).toBe(app.dir);
    await screenshot(page, 'advanced');
    await page.getByText('Debug Logging').click();
    await expect.poll(level).toBe('info');
  });

  it('Advanced: start at login and each notification kind are saved; headless says where its own start at login is', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-advanced').click();
    const saved = async () => JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8'));
    await page.getByLabel('Start at login (in the tray, without a window)').click();
    await page.getByLabel('An agent finished its task').click();
    await expect.poll(async () => (await saved()).desktop.startAtLogin).toBe(true);
    await expect.poll(async () => (await saved()).notifications.sessionFinished).toBe(false);
    expect((await saved()).notifications.sessionFailed).toBe(true);
    expect(await page.getByTestId('desktop-only-note').textContent()).toContain(
      'aigo service install',
    );
    await page.getByTestId('notification-settings').scrollIntoViewIfNeeded();
    await screenshot(page, 'advanced-desktop-notifications');
    await app.api('PATCH', '/api/v1/settings', {
      desktop: { startAtLogin: false },
      notifications: { sessionFinished: true },
    });
  });

  it('the status strip pauses and resumes all agents, and says they are paused', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    const button = page.getByTestId('strip-pause');
    await expect.poll(() => button.textContent()).toBe('Pause all agents');
    await button.click();
    await expect.poll(() => button.textContent()).toBe('Resume agents');
    await expect.poll(() => page.getByTestId('strip-agents').textContent()).toContain('paused');
    const saved = JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8'));
    expect(saved.sessions.paused).toBe(true);
    await button.click();
    await expect.poll(() => button.textContent()).toBe('Pause all agents');
    expect(await page.getByTestId('strip-agents').textContent()).not.toContain('paused');
  });

  it('updates live when the runtime changes elsewhere (server-sent events)', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Docker');
    // Force Apple Container, which this Linux machine cannot run: the page must follow.
    await app.api('PATCH', '/api/v1/settings', { runtime: { preferred: 'apple_container' } });
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Not available');
    expect(await page.getByTestId('runtime-message').textContent()).toContain('Apple Container');
    await screenshot(page, 'runtime-not-available');
    await app.api('PATCH', '/api/v1/settings', { runtime: { preferred: 'auto' } });
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Docker');
  });

  it('Runtime preferences save through the form and a bad value is explained', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    const form = page.getByTestId('runtime-preferences');
    await form.getByTestId('runtime-preferred').selectOption('docker');
    await form.getByTestId('runtime-agent-network').selectOption('host');
    await form.getByPlaceholder('automatic', { exact: true }).fill('not a host!');
    await form.getByRole('button', { name: 'Save' }).click();
    // The refusal shows under the field it concerns, which gets the focus; not in the banner.
    await expect
      .poll(() => form.getByTestId('field-error-runtime.hostGatewayOverride').count())
      .toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe(
      'runtime.hostGatewayOverride',
    );
    expect(await page.getByTestId('notice').count()).toBe(0);
    await form.getByPlaceholder('automatic', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(
        async () =>
          JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8')).runtime.preferred,
      )
      .toBe('docker');
    expect(
      JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8')).runtime.agentNetwork,
    ).toBe('host');
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Docker');
    await screenshot(page, 'runtime-preferences');
    await app.api('PATCH', '/api/v1/settings', { runtime: { agentNetwork: 'auto' } });
  });

  it('a remote endpoint offers its TLS or SSH settings, and a broken one says what to fix there', async () => {
    const page = await browser.newPage();
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    const form = page.getByTestId('runtime-preferences');
    const endpoint = form.locator('input[name="runtime.dockerHost"]');
    await endpoint.fill('ssh://agent@127.0.0.1:1');
    expect(await form.locator('input[name="runtime.dockerSshIdentityFile"]').count()).toBe(1);
    expect(await form.locator('input[name="runtime.dockerCertPath"]').count()).toBe(0);
    await endpoint.fill('tcp://127.0.0.1:1');
    await form.locator('input[name="runtime.dockerTlsVerify"]').check();
    const folder = join(app.dir, 'no-certs-here');
    await form.locator('input[name="runtime.dockerCertPath"]').fill(folder);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Not available');
    await expect
      .poll(() => page.getByTestId('runtime-message').textContent())
      .toContain(join(folder, 'ca.pem'));
    await screenshot(page, 'runtime-remote-tls');
    const saved = JSON.parse(await readFile(join(app.dir, 'settings.json'), 'utf8')).runtime;
    expect(saved).toMatchObject({ dockerTlsVerify: true, dockerCertPath: folder });
    await app.api('PATCH', '/api/v1/settings', {
      runtime: { dockerHost: null, dockerTlsVerify: false, dockerCertPath: null },
    });
    await expect.poll(() => page.getByTestId('runtime-name').textContent()).toBe('Docker');
  });

  it('without the token the page is read-only and says how to get write access', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(serve.url);
    await expect.poll(() => page.getByTestId('readonly-banner').count()).toBe(1);
    const status = (await (await app.api('GET', '/api/v1/status')).json()) as {
      warnings: { code: string }[];
    };
    const hostNetworked = status.warnings.some((w) => w.code === 'AGENTS_ON_HOST_NETWORK');
    if (hostNetworked) {
      // Agents could reach loopback: without the token the app shows nothing but how to get in.
      await expect
        .poll(() => page.getByTestId('readonly-banner').textContent())
        .toContain('needs its access token even to show this page');
    } else {
      await page.getByTestId('nav-advanced').click();
      expect(await page.getByTestId('debug-logging').isDisabled()).toBe(true);
    }
    await context.close();
  });
});
