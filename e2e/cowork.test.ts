import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import {
  lastUserText,
  startScriptedLlm,
  text,
  toolUse,
  type LlmRequest,
  type Turn,
} from '../test/helpers/scripted-llm';
import { screenshot, watchErrors } from './browser';
import { startAgentE2eApp, type E2eApp } from './fixture';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

/** The Cowork page against the real core, the real engine and a scripted model behind the proxy. */
describe.runIf(run)('Cowork in the browser', () => {
  let app: E2eApp;
  let browser: Browser;
  let page: Page;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  let release: (() => void) | null = null;
  const held = () => new Promise<void>((resolve) => (release = resolve));

  const script = (_n: number, req: LlmRequest): Turn => {
    const first = JSON.stringify(req.body.messages[0]?.content ?? '');
    if (first.includes('forever')) return { blocks: [text('never')], delayMs: 60_000 };
    if (req.body.messages.length === 1)
      return {
        blocks: [
          toolUse('write_file', { path: 'notes/summary.md', content: '# Summary\n' }),
          toolUse('send_message', { chatJid: 'tg:42', text: 'The summary is ready.' }),
        ],
        before: held, // the model "thinks" until the test has steered
      };
    return { blocks: [text(`Done. You said: ${lastUserText(req).slice(-40)}`)] };
  };

  beforeAll(async () => {
    llm = await startScriptedLlm(script);
    app = await startAgentE2eApp(llm.url);
    browser = app.browser;
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterAll(async () => {
    release?.();
    await app?.stop();
    await llm?.close();
  });

  const state = () => page.getByTestId('session-state').getAttribute('data-state');

  it('starts a session, shows its steps live, takes a follow-up mid-run, and ends', async () => {
    const errors = watchErrors(page);
    await page.goto(app.serve.uiLink);
    await page.getByTestId('cowork-prompt').fill('Write a summary of the project and tell me.');
    await page.getByTestId('cowork-start').click();
    await expect.poll(state, { timeout: 30_000 }).toBe('running');
    // The model has the request and "thinks" until we have steered.
    await expect.poll(() => release !== null, { timeout: 30_000 }).toBe(true);

    await page.getByTestId('steer-input').fill('mention the weather too');
    await page.getByTestId('steer-send').click();
    await expect
      .poll(() => page.getByTestId('transcript').textContent())
      .toContain('mention the weather too');
    release?.();

    await expect.poll(state, { timeout: 30_000 }).toBe('ended');
    const transcript = (await page.getByTestId('transcript').textContent()) ?? '';
    expect(transcript).toContain('notes/summary.md');
    expect(transcript).toContain('The summary is ready.');
    expect(transcript).toContain('mention the weather too'); // it reached the model's next turn
    expect(await page.locator('[data-testid="transcript-item"][data-kind="tool"]').count()).toBe(2);
    await screenshot(page, 'cowork-session');
    expect(errors).toEqual([]);
  });

  it('stops a running session from the page', async () => {
    await page.getByTestId('cowork-new').click();
    await page.getByTestId('cowork-prompt').fill('work forever');
    await page.getByTestId('cowork-start').click();
    await expect.poll(state, { timeout: 30_000 }).toBe('running');
    await page.getByTestId('session-stop').click();
    await expect.poll(state, { timeout: 30_000 }).toBe('ended');
    expect(await page.getByTestId('session-list-item').count()).toBe(2);
  });

  it('finds both runs in Settings > Container > Runs, with their details', async () => {
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    const statuses = await page
      .getByTestId('run-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses.sort()).toEqual(['cancelled', 'succeeded']);
    await page.locator('[data-testid="run-row"][data-status="succeeded"]').click();
    await expect.poll(() => page.getByTestId('run-detail').textContent()).toContain('/workspace');
    await screenshot(page, 'runs');
    await page.getByTestId('run-open-session').click();
    await expect.poll(state).toBe('ended');
    await expect
      .poll(() => page.getByTestId('transcript').textContent())
      .toContain('notes/summary.md');
  });
});
