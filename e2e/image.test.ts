import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNodeBaseImage } from '../test/helpers/node-base-image';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const IMAGE = `aigo-agent-runner-e2e:${process.pid}`;
const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

describe.runIf(run)('Settings > Container > Image in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureNodeBaseImage();
    app = await startE2eApp({ env: { AIGO_AGENT_IMAGE: IMAGE } }); // never the user's real tag
    ({ serve, browser } = app);
    page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  });
  afterAll(async () => {
    await app?.stop();
    spawnSync('docker', ['image', 'rm', '-f', IMAGE], { stdio: 'ignore' });
  });

  it('Rebuild Image shows progress and ends ready', { timeout: 180_000 }, async () => {
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-image').click();
    // This machine reaches no registry: build on the offline base, without installing tools.
    await page.getByLabel('Base image').fill('aigo-test-node-base:latest');
    await page.getByTestId('image-settings-save').click();
    await page.getByText('Install tools: git, curl, python3, ripgrep and jq').click();
    await expect
      .poll(async () => (await (await app.api('GET', `/api/v1/settings`)).json()).image)
      .toEqual(
        expect.objectContaining({ baseImage: 'aigo-test-node-base:latest', installTools: false }),
      );

    // Record every state and progress the page shows, however quick the build is.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const state = document.querySelector('[data-testid="image-state"]')?.textContent ?? '';
        const progress = document.querySelector('[data-testid="image-progress"]') ? 'progress' : '';
        seen.push(`${state}${progress ? `+${progress}` : ''}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('image-rebuild').click();
    // The image may already exist from an earlier run: wait for this build to show first.
    const seenStates = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await expect.poll(seenStates).toContain('Building+progress');
    await expect
      .poll(() => page.getByTestId('image-state').textContent(), { timeout: 120_000 })
      .toBe('Ready');
    expect((await seenStates()).at(-1)).toBe('Ready');
    await expect.poll(() => page.getByTestId('image-last-build').textContent()).toBe('Succeeded');
    const output = await page.getByTestId('image-output').textContent();
    expect(output).toMatch(/Step \d+\/\d+ : ENTRYPOINT/);
    const status = await (await app.api('GET', `/api/v1/container/image/status`)).json();
    expect(status).toMatchObject({
      state: 'ready',
      image: IMAGE,
      progress: { percent: 100 },
      error: null,
      lastBuild: { outcome: 'succeeded', error: null, hint: null },
    });
    expect(status.output).toContain(`Successfully tagged ${IMAGE}`);
    await screenshot(page, 'image-ready');
    expect(errors).toEqual([]);
  });
});
