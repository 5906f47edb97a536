import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { startScriptedLlm, text } from '../test/helpers/scripted-llm';
import { screenshot, watchErrors } from './browser';
import { startAgentE2eApp, type E2eApp } from './fixture';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

const NAME = 'inbox-summary';

/**
 * Settings > Container > Schedules against the real core: a schedule made in the form, paused
 * and resumed, run now as a real agent session in a container (the model is scripted behind the
 * credential proxy), its log line followed to the end and into Cowork.
 */
describe.runIf(run)('Schedules in the browser', () => {
  let app: E2eApp;
  let page: Page;
  let errors: string[];
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;

  beforeAll(async () => {
    llm = await startScriptedLlm(() => ({
      blocks: [text('Inbox summarised: two mails need an answer today.')],
    }));
    app = await startAgentE2eApp(llm.url);
    page = await app.browser.newPage({ viewport: { width: 1200, height: 900 } });
    errors = watchErrors(page);
  });
  afterAll(async () => {
    await app?.stop();
    await llm?.close();
  });

  const row = (): Locator => page.locator(`[data-testid="schedule-row"][data-schedule="${NAME}"]`);
  const textOf = (l: Locator) => l.textContent().then((t) => t ?? '');
  const apiSchedule = async () => {
    const res = await app.api('GET', `/api/v1/container/schedules/${NAME}`);
    return (await res.json()) as { enabled: boolean; schedule: { type: string; value: string } };
  };

  it('makes a cron schedule in the form, with a live preview of its next runs', async () => {
    await page.goto(app.serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-schedules').click();
    await expect.poll(() => page.getByTestId('schedules-empty').isVisible()).toBe(true);
    expect(await textOf(page.getByTestId('schedules-empty'))).toContain('summarise my inbox');
    await screenshot(page, 'schedules-empty');

    await page.getByTestId('schedule-new').click();
    const form = page.getByTestId('schedule-form');
    // Saved empty: the core names each field, and the form puts its words next to it.
    await form.getByTestId('schedule-save').click();
    await expect.poll(() => textOf(form.getByTestId('schedule-error'))).toContain('name');
    expect(await textOf(form)).toContain('give the schedule a name');

    await form.getByTestId('schedule-name').fill(NAME);
    await form.getByTestId('schedule-group').selectOption('main');
    await form.getByTestId('schedule-prompt').fill('Summarise my inbox.');
    await form.getByTestId('schedule-type').selectOption('cron');
    // A cron expression one field short: the preview's error, next to the value.
    await form.getByTestId('schedule-value').fill('*/5 * * *');
    await expect
      .poll(() => textOf(form.getByTestId('schedule-value-error')))
      .toContain('has 4 fields');
    await form.getByTestId('schedule-value').fill('*/5 * * * *');
    await expect
      .poll(() => textOf(form.getByTestId('schedule-preview')))
      .toContain('Every 5 minutes');
    expect(await form.getByTestId('schedule-value-error').count()).toBe(0);
    await expect.poll(() => form.getByTestId('schedule-preview-run').count()).toBe(5);
    const times = await form
      .getByTestId('schedule-preview-run')
      .locator('time')
      .evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime') ?? '')));
    expect(times[1]! - times[0]!).toBe(5 * 60_000);
    expect(await form.getByTestId('schedule-timeout').inputValue()).toBe('300');
    await screenshot(page, 'schedules-form');
    await form.getByTestId('schedule-missed').selectOption('skip');
    await form.getByTestId('schedule-save').click();

    await expect.poll(() => row().count()).toBe(1);
    await expect.poll(() => form.count()).toBe(0);
    await expect
      .poll(() => textOf(row().getByTestId('schedule-description')))
      .toContain('Every 5 minutes');
    expect(await textOf(row().getByTestId('schedule-next-relative'))).toMatch(/^in \d+ (s|min)$/);
    expect(await row().getAttribute('data-enabled')).toBe('true');
  });

  it('pauses and resumes the schedule with its switch', async () => {
    await row().getByTestId('schedule-enabled').setChecked(false);
    await expect.poll(() => row().getAttribute('data-enabled')).toBe('false');
    expect(await textOf(row().getByTestId('schedule-next'))).toContain('Paused');
    expect((await apiSchedule()).enabled).toBe(false);

    await row().getByTestId('schedule-enabled').setChecked(true);
    await expect.poll(() => row().getAttribute('data-enabled')).toBe('true');
    await expect.poll(() => textOf(row().getByTestId('schedule-next'))).toContain('Next run');
    expect((await apiSchedule()).enabled).toBe(true);
  });

  it('runs it now: a log line that ends succeeded, and the session it started', async () => {
    await row().getByTestId('schedule-logs-open').click();
    const logs = page.getByTestId('schedule-logs');
    await expect.poll(() => textOf(logs)).toContain('No runs yet');

    await row().getByTestId('schedule-run').click();
    const line = logs.getByTestId('schedule-log-row');
    await expect.poll(() => line.count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => line.first().getAttribute('data-status'), { timeout: 60_000 })
      .toBe('succeeded');
    await expect.poll(() => row().getAttribute('data-status')).toBe('succeeded');
    expect(llm.requests.length).toBeGreaterThan(0);
    await screenshot(page, 'schedules');

    await line.first().getByTestId('schedule-log-session').click();
    expect(page.url()).toMatch(/#\/cowork\/[^/]+$/);
    const state = () => page.getByTestId('session-state').getAttribute('data-state');
    await expect.poll(state).toBe('ended');
    await expect
      .poll(() => textOf(page.getByTestId('transcript')))
      .toContain('two mails need an answer today');
  });

  it('edits it into an interval, in friendly units, then deletes it', async () => {
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-schedules').click();
    await row().getByTestId('schedule-edit').click();
    const form = page.getByTestId('schedule-form');
    expect(await form.getByTestId('schedule-name').inputValue()).toBe(NAME);
    await form.getByTestId('schedule-type').selectOption('interval');
    await form.getByTestId('schedule-value').fill('2');
    await form.getByTestId('schedule-interval-unit').selectOption('hours');
    await expect.poll(() => textOf(form.getByTestId('schedule-preview'))).toContain('Every 2 h');
    await form.getByTestId('schedule-save').click();
    await expect.poll(() => form.count()).toBe(0);
    expect((await apiSchedule()).schedule).toEqual({ type: 'interval', value: '7200000' });
    await expect
      .poll(() => textOf(row().getByTestId('schedule-description')))
      .toContain('Every 2 h');

    await row().getByTestId('schedule-delete').click();
    await row().getByTestId('schedule-delete-confirm').click();
    await expect.poll(() => row().count()).toBe(0);
    await expect.poll(() => page.getByTestId('schedules-empty').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });
});
