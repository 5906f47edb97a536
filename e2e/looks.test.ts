import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

/** Whether the element lies wholly inside the viewport (not scrolled away, not under the strip). */
const inViewport = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  });

describe.runIf(run)('What a new user trips over (issue 10), in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    app = await startE2eApp();
    ({ serve, browser } = app);
  });
  afterAll(() => app?.stop());

  it("a refused mapping shows the server's error next to the form and focuses the field", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-proxy').click();
    await expect.poll(() => page.getByTestId('proxy-running').textContent()).toBe('Running');
    await page.getByTestId('mapping-add').click();
    const form = page.getByTestId('mapping-form');
    await form.getByLabel('Upstream URL').fill('not a url');
    await form.getByLabel('Real API key').fill('sk-ant-api03-LOOKS-000000000000');
    // Scrolled to the bottom of the page, away from where the app-wide banner would be.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await form.getByTestId('mapping-save').click();
    const fieldError = page.getByTestId('field-error-upstreamUrl');
    await expect.poll(() => fieldError.count()).toBe(1);
    expect(await fieldError.textContent()).toContain('full URL');
    expect(await inViewport(page, 'field-error-upstreamUrl')).toBe(true);
    // Inside the form, not only in the banner at the top.
    expect(await form.getByTestId('field-error-upstreamUrl').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Upstream URL',
    );
    expect(await page.getByTestId('notice').count()).toBe(0);
    await screenshot(page, 'looks-mapping-error');
    // Put right, the mapping goes through and the error goes away with the form.
    await form.getByLabel('Upstream URL').fill('https://api.anthropic.com');
    await form.getByTestId('mapping-save').click();
    await expect.poll(() => page.getByTestId('mapping').count()).toBe(1);
    expect(await page.getByTestId('field-error-upstreamUrl').count()).toBe(0);

    expect(errors).toEqual([]);
    await page.close();
  });

  it('the status strip shows the runtime, the proxy, the image and the agents, live', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(serve.uiLink);
    const strip = page.getByTestId('status-strip');
    await expect.poll(() => strip.getByTestId('strip-runtime').textContent()).toContain('Docker');
    await expect.poll(() => strip.getByTestId('strip-proxy').textContent()).toContain('running');
    // Each item fills in when its own call answers: wait for the sessions list too.
    await expect.poll(() => strip.getByTestId('strip-agents').textContent()).toContain('0 running');
    expect(await strip.getByTestId('strip-image').textContent()).toMatch(/Agent image/);
    expect(await inViewport(page, 'status-strip')).toBe(true);
    // It follows the proxy.changed event when the proxy stops elsewhere.
    await app.api('POST', '/api/v1/container/credential-proxy/stop');
    await expect
      .poll(() => strip.getByTestId('strip-proxy').textContent())
      .toMatch(/not running|off/);
    await app.api('POST', '/api/v1/container/credential-proxy/start');
    await expect.poll(() => strip.getByTestId('strip-proxy').textContent()).toContain('running');
    // Each item leads to its page.
    await strip.getByTestId('strip-proxy').click();
    await expect.poll(() => page.getByTestId('proxy-status').count()).toBe(1);
    await screenshot(page, 'looks-status-strip');
    await page.close();
  });

  it('a narrow window (800 px) has no sideways scroll on any page', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    const hashes = [
      '#/cowork',
      '#/squads',
      '#/container/runtime',
      '#/container/image',
      '#/container/mounts',
      '#/container/proxy',
      '#/container/groups',
      '#/container/schedules',
      '#/container/runs',
      '#/security',
      '#/health',
      '#/advanced',
    ];
    for (const hash of hashes) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await page.waitForTimeout(400);
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      expect({ hash, ...widths }).toEqual({ hash, scroll: widths.inner, inner: widths.inner });
    }
    // The navigation is still there, as a bar across the top.
    expect(await page.getByTestId('nav-advanced').isVisible()).toBe(true);
    await page.evaluate(() => (window.location.hash = '#/container/proxy'));
    await page.waitForTimeout(400);
    await screenshot(page, 'looks-narrow');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a badge stands out from the verdict panel it sits on', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-mounts').click();
    await page.getByTestId('test-path').fill('/etc');
    await page.getByTestId('test-run').click();
    await expect.poll(() => page.getByTestId('verdict-badge').textContent()).toBe('Refused');
    const look = await page.getByTestId('verdict-badge').evaluate((badge) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r = 0, g = 0, b = 0] = rgb(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratio = (a: string, b: string) => {
        const [x, y] = [lum(a), lum(b)];
        return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
      };
      const style = getComputedStyle(badge);
      const panel = getComputedStyle(badge.closest('[data-testid="verdict"]')!).backgroundColor;
      return {
        text: ratio(style.color, style.backgroundColor),
        edge: Math.max(
          ratio(style.backgroundColor, panel),
          style.borderStyle === 'solid' ? ratio(style.borderColor, panel) : 1,
        ),
      };
    });
    expect(look.text).toBeGreaterThanOrEqual(4.5);
    expect(look.edge).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'looks-verdict-badge');
    await page.close();
  });

  it('the read-only banner reads as one paragraph', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    const page = await context.newPage();
    await page.goto(serve.url);
    const banner = page.getByTestId('readonly-banner');
    await expect.poll(() => banner.count()).toBe(1);
    await screenshot(page, 'looks-readonly-banner');
    const shape = await banner.evaluate((el) => ({
      children: el.children.length,
      sameText: el.children[0]?.textContent === el.textContent,
      innerText: (el as HTMLElement).innerText,
    }));
    expect(shape.children).toBe(1);
    expect(shape.sameText).toBe(true);
    expect(shape.innerText).not.toMatch(/\s{3,}|\n/);
    await context.close();
  });

  // Last: it stops `aigo serve`.
  it('while the connection is lost, controls that change something are disabled', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-advanced').click();
    await expect.poll(() => page.getByTestId('debug-logging').isDisabled()).toBe(false);
    await serve.stop();
    await expect
      .poll(() => page.getByTestId('offline-banner').count(), { timeout: 20_000 })
      .toBe(1);
    expect(await page.getByTestId('debug-logging').isDisabled()).toBe(true);
    const banner = await page.getByTestId('offline-banner').evaluate((el) => ({
      children: el.children.length,
      innerText: (el as HTMLElement).innerText,
    }));
    expect(banner.children).toBe(1);
    expect(banner.innerText).toContain('Changes are disabled');
    expect(banner.innerText).not.toMatch(/\s{3,}|\n/);
    await screenshot(page, 'looks-offline');
    await page.close();
  });
});
