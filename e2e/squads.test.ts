import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { startScriptedLlm, text, type LlmRequest, type Turn } from '../test/helpers/scripted-llm';
import { screenshot, watchErrors } from './browser';
import { startAgentE2eApp, type E2eApp } from './fixture';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

const GOAL = 'Compare the two options in the workspace and recommend one.';

/** Two tasks side by side, then one that needs both: two waves. */
const PLAN = {
  tasks: [
    { id: 'a', title: 'Study option one', prompt: 'TASK:a Describe option one.', dependsOn: [] },
    { id: 'b', title: 'Study option two', prompt: 'TASK:b Describe option two.', dependsOn: [] },
    {
      id: 'c',
      title: 'Recommend one',
      prompt: 'TASK:c Recommend the better option.',
      dependsOn: ['a', 'b'],
    },
  ],
};

/**
 * Squad mode against the real core, the real engine and a scripted model behind the proxy: the
 * planner's plan shown as waves, run, one task followed live, and the squad cancelled.
 */
describe.runIf(run)('Squad mode in the browser', () => {
  let app: E2eApp;
  let page: Page;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  let release: (() => void) | null = null;
  const held = () => new Promise<void>((resolve) => (release = resolve));
  // Through a function: the compiler would take `release` for the null it was last set to.
  const releaseHeld = () => release?.();

  // Each session's first message says whose it is: a task's carries its prompt (and marker);
  // the planner's carries the goal and asks for the plan as JSON.
  const script = (_n: number, req: LlmRequest): Turn => {
    const first = JSON.stringify(req.body.messages[0]?.content ?? '');
    if (first.includes('TASK:a')) return { blocks: [text('Option one is fast.')], before: held };
    if (first.includes('TASK:b')) return { blocks: [text('Option two is cheap.')] };
    if (first.includes('TASK:c')) return { blocks: [text('Take option one.')] };
    return {
      blocks: [text(`Here is the plan.\n\`\`\`json\n${JSON.stringify(PLAN, null, 2)}\n\`\`\``)],
    };
  };

  beforeAll(async () => {
    llm = await startScriptedLlm(script);
    app = await startAgentE2eApp(llm.url);
    page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    release?.();
    await app?.stop();
    await llm?.close();
  });

  const squadState = () => page.getByTestId('squad-state').getAttribute('data-state');
  const card = (id: string): Locator =>
    page.locator(`[data-testid="squad-task"][data-task="${id}"]`);
  const cardState = (id: string) => card(id).getAttribute('data-state');
  const waveTasks = (index: number) =>
    page
      .locator(`[data-testid="squad-wave"][data-wave="${index}"] [data-testid="squad-task"]`)
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-task')));

  it('plans a goal into waves, runs them live, opens a task, and cancels the squad', async () => {
    const errors = watchErrors(page);
    await page.goto(app.serve.uiLink);
    await page.getByTestId('nav-squads').click();
    await expect.poll(() => page.getByTestId('squad-new').isVisible()).toBe(true);
    await page.getByTestId('squad-goal').fill(GOAL);
    expect(await page.getByTestId('squad-autorun').isChecked()).toBe(false);
    await screenshot(page, 'squad-new');
    await page.getByTestId('squad-create').click();

    // The planner's answer is checked and shown as a plan that waits for Run.
    await expect.poll(squadState, { timeout: 60_000 }).toBe('planned');
    expect(await page.getByTestId('squad-view').textContent()).toContain(GOAL);
    await expect.poll(() => page.getByTestId('squad-wave').count()).toBe(2);
    expect(await waveTasks(0)).toEqual(['a', 'b']);
    expect(await waveTasks(1)).toEqual(['c']);
    expect(await card('c').textContent()).toContain('needs: a, b');
    expect(await cardState('a')).toBe('pending');
    expect(await page.getByTestId('squad-list-item').count()).toBe(1);
    await screenshot(page, 'squad-plan');

    // Wave 0 starts side by side; b answers at once, a's model "thinks" until released.
    await page.getByTestId('squad-run').click();
    await expect.poll(squadState, { timeout: 30_000 }).toBe('running');
    await expect.poll(() => cardState('a'), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => cardState('b'), { timeout: 60_000 }).toBe('succeeded');
    expect(await cardState('c')).toBe('pending');
    await expect.poll(() => release !== null, { timeout: 30_000 }).toBe(true);
    await screenshot(page, 'squad-running');

    await card('a').click();
    const detail = page.getByTestId('squad-task-detail');
    await expect
      .poll(() => detail.getByTestId('squad-task-state').getAttribute('data-state'))
      .toBe('running');
    expect(page.url()).toMatch(/#\/squads\/sq-[^/]+\/a$/);
    // Its session's transcript, live: the task's own prompt went to its agent.
    await expect
      .poll(() => detail.getByTestId('transcript').textContent(), { timeout: 30_000 })
      .toContain('TASK:a Describe option one.');
    expect(await detail.getByTestId('squad-task-cancel').isEnabled()).toBe(true);

    // A note for the whole squad: kept in its steering, for the tasks that run and those to come.
    await page.getByTestId('squad-steer-input').fill('keep it short');
    await page.getByTestId('squad-steer-send').click();
    await expect
      .poll(() => page.getByTestId('squad-steering').textContent())
      .toContain('keep it short');
    await screenshot(page, 'squad-task');

    // Cancelled: a stops, c (which needed it) never runs, b keeps its result.
    await page.getByTestId('squad-cancel').click();
    await expect.poll(squadState, { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(() => cardState('a'), { timeout: 30_000 }).toBe('cancelled');
    expect(await cardState('b')).toBe('succeeded');
    expect(await cardState('c')).toBe('skipped');
    release?.();
    await expect
      .poll(() => page.getByTestId('squad-result').textContent(), { timeout: 30_000 })
      .toContain('Option two is cheap.');
    expect(await page.getByTestId('squad-cancel').count()).toBe(0);
    expect(await page.getByTestId('squad-steer-input').count()).toBe(0);
    expect(await page.getByTestId('squad-list-item').getAttribute('data-state')).toBe('cancelled');
    await screenshot(page, 'squad-cancelled');

    // Run again: b keeps its result; a, and then c, run to the end this time.
    release = null;
    const rerun = page.getByTestId('squad-rerun');
    expect(await rerun.textContent()).toContain('Run the 2 tasks again');
    await rerun.click();
    await expect.poll(squadState, { timeout: 30_000 }).toBe('running');
    await expect.poll(() => release !== null, { timeout: 30_000 }).toBe(true);
    releaseHeld();
    await expect.poll(squadState, { timeout: 60_000 }).toBe('succeeded');
    expect(await cardState('c')).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('squad-result').textContent(), { timeout: 30_000 })
      .toContain('Take option one.');
    expect(await page.getByTestId('squad-rerun').count()).toBe(0);
    await screenshot(page, 'squad-run-again');

    // The task's session in Cowork leads back to its squad, with the task open.
    await page.getByTestId('squad-task-open-session').click();
    const back = page.getByTestId('session-squad-link');
    await expect.poll(() => back.textContent(), { timeout: 10_000 }).toMatch(/^Task a of a squad/);
    await back.click();
    await expect.poll(() => page.url()).toMatch(/#\/squads\/sq-[^/]+\/a$/);
    await expect.poll(squadState).toBe('succeeded');
    expect(errors).toEqual([]);
  });
});
