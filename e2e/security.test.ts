import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

describe.runIf(run)('Settings > Security: the audit log in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;

  /**
   * A request to the credential proxy with no session token (or, with `foreignHost`, a Host
   * name that is not the proxy's): refused, and a violation. Repeats of one cause from one
   * address are coalesced into one entry, so the two causes make two entries.
   */
  const proxyViolation = async (foreignHost = false) => {
    const status = (await (
      await app.api('GET', `/api/v1/container/credential-proxy/status`)
    ).json()) as { bindAddress: string; port: number };
    const res = await rawPost(status.bindAddress, status.port, foreignHost ? 'evil.example' : null);
    expect(res).toBeGreaterThanOrEqual(400);
  };

  beforeAll(async () => {
    app = await startE2eApp();
    ({ serve, browser } = app);
    await app.api('POST', '/api/v1/container/mounts/validate', { hostPath: '/root/.ssh' });
    await proxyViolation();
  });
  afterAll(() => app?.stop());

  it('lists events newest first, filters violations, and shows new ones live', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-security').click();
    await expect.poll(() => page.getByTestId('audit-entry').count()).toBeGreaterThanOrEqual(2);
    const all = await page.getByTestId('audit-log').textContent();
    expect(all).toContain('Path contains blocked pattern ".ssh"');
    expect(all).toContain('Credential proxy refused POST /v1/messages: missing session');

    await page.getByLabel('Severity').selectOption('violation');
    // The terminal hint shows the real address and the filter chosen.
    await expect
      .poll(() => page.getByTestId('audit-curl').textContent())
      .toContain(`${serve.url}/api/v1/container/audit-log?severity=violation`);
    // Only the one proxy violation: the .ssh refusal was a warning and must be filtered out.
    await expect.poll(() => page.getByTestId('audit-entry').count()).toBe(1);
    const shown = await page.getByTestId('audit-entry').allTextContents();
    expect(shown[0]).toContain('violation');
    expect(shown.join()).not.toContain('.ssh');
    await proxyViolation(true);
    await expect.poll(() => page.getByTestId('audit-entry').count()).toBe(2);

    await page.getByTestId('audit-entry').last().getByRole('button').click();
    expect(await page.getByTestId('audit-entry').last().textContent()).toContain(
      '"refusal": "missing_session"',
    );
    await screenshot(page, 'security-audit-log');
    expect(errors).toEqual([]);
  });
});

/** fetch() cannot set Host; a DNS-rebinding page can, so the proxy must refuse a foreign one. */
function rawPost(host: string, port: number, hostHeader: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method: 'POST',
        path: '/v1/messages',
        headers: {
          'x-api-key': 'CREDENTIAL_PROXY_PLACEHOLDER',
          'content-type': 'application/json',
          ...(hostHeader ? { host: hostHeader } : {}),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}
