import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/shared/schemas/sessions';
import type { Squad } from '../../src/shared/schemas/squads';
import { AppError } from '../../src/shared/errors';
import { REAL_KEY, startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { lastUserText, text, toolUse, type LlmRequest, type Turn } from '../helpers/scripted-llm';

const runDocker = requirePart('Docker', dockerRequirement());

const firstText = (req: LlmRequest) => {
  const first = req.body.messages[0]?.content;
  return typeof first === 'string' ? first : (first?.map((b) => b.text ?? '').join(' ') ?? '');
};
/** The squad (`SQUAD:<name>` in its goal) and the task (`TASK:<id>` in its prompt) asking. */
const who = (req: LlmRequest) => ({
  squad: /SQUAD:(\w+)/.exec(firstText(req))?.[1] ?? '',
  task: /TASK:(\w+)/.exec(firstText(req))?.[1] ?? null,
});

const planOf = (tasks: [string, string[]][]) =>
  '```json\n' +
  JSON.stringify({
    tasks: tasks.map(([id, dependsOn]) => ({
      id,
      title: `Step ${id}`,
      prompt: `TASK:${id} do step ${id}`,
      dependsOn,
    })),
  }) +
  '\n```';

/** Resolves once `n` callers wait (or after `ms`, so a broken run fails its assertion, not hangs). */
function barrier(n: number, ms: number) {
  let waiting = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, ms);
  return {
    arrive: async () => {
      if (++waiting >= n) {
        clearTimeout(timer);
        open();
      }
      await opened;
    },
    get arrived() {
      return waiting;
    },
  };
}

describe.runIf(runDocker)('squads on the real engine', () => {
  let app: Awaited<ReturnType<typeof startAgentApp>>;
  const docker = new Docker();
  const firstWave = barrier(3, 25_000);
  let releaseSteer: (() => void) | null = null;
  const steerHeld = new Promise<void>((resolve) => (releaseSteer = resolve));

  const script = (_n: number, req: LlmRequest): Turn => {
    const { squad, task } = who(req);
    const turn = req.body.messages.filter((m) => m.role === 'assistant').length + 1;
    if (squad === 'diamond') {
      if (!task)
        return {
          blocks: [
            text(
              planOf([
                ['a', []],
                ['b', []],
                ['c', []],
                ['d', ['a', 'b']],
                ['e', ['a', 'b', 'c']],
              ]),
            ),
          ],
        };
      if (['a', 'b', 'c'].includes(task) && turn === 1)
        return {
          blocks: [
            toolUse('write_file', {
              path: `${/\/workspace\/(squads\/[^\s]+)\/ unless/.exec(firstText(req))?.[1]}/${task}.txt`,
              content: `made by ${task}`,
            }),
          ],
          // All three of the first wave hold their request until the others have theirs.
          before: () => firstWave.arrive(),
        };
      return { blocks: [text(`RESULT-${task.toUpperCase()}`)] };
    }
    if (squad === 'failing') {
      if (!task)
        return {
          blocks: [
            text(
              planOf([
                ['x', []],
                ['y', ['x']],
                ['z', ['y']],
                ['w', []],
                ['v', ['w']],
                ['u', []],
              ]),
            ),
          ],
        };
      if (task === 'x')
        return {
          blocks: [],
          error: {
            status: 400,
            type: 'invalid_request_error',
            // A careless upstream echoes the key it got: it must not reach the squad.
            message: `scripted failure for ${String(req.headers['x-api-key'])}`,
          },
        };
      if (task === 'w') return { blocks: [text('too late')], delayMs: 40_000 };
      return { blocks: [text(`RESULT-${task.toUpperCase()}`)] };
    }
    if (squad === 'repair') {
      if (task) return { blocks: [text('ok')] };
      return turn === 1
        ? {
            blocks: [
              text(
                planOf([
                  ['p', ['q']],
                  ['q', ['p']],
                ]),
              ),
            ],
          }
        : {
            blocks: [
              text(
                planOf([
                  ['p', []],
                  ['q', ['p']],
                ]),
              ),
            ],
          };
    }
    if (squad === 'steer') {
      if (!task)
        return {
          blocks: [
            text(
              planOf([
                ['s1', []],
                ['s2', []],
                ['s3', ['s1']],
              ]),
            ),
          ],
        };
      if (task === 's1' && turn === 1)
        return { blocks: [toolUse('list_directory', { path: '.' })], before: () => steerHeld };
      if (task === 's1') return { blocks: [text(`heard: ${lastUserText(req).slice(-60)}`)] };
      return { blocks: [text('never')], delayMs: 120_000 };
    }
    return { blocks: [text('ok')] };
  };

  beforeAll(async () => {
    app = await startAgentApp(script, { sessionCloseGraceMs: 2000 });
  }, 300_000);
  afterAll(async () => {
    releaseSteer?.();
    await app?.stop();
  });

  const squad = (id: string) => app.call('squads.get', { id }) as Promise<Squad>;
  const until = async (id: string, pred: (s: Squad) => boolean, what: string, ms = 60_000) => {
    await expect
      .poll(async () => pred(await squad(id)), { timeout: ms, interval: 200, message: what })
      .toBe(true);
    return squad(id);
  };
  const containersOf = async (sessions: string[]) =>
    (await docker.listContainers({ all: true })).filter((c) =>
      sessions.includes(c.Labels['org.aigo.session'] ?? ''),
    );

  it('runs a diamond plan in two waves: the first in parallel, the second after its dependencies, results collected', async () => {
    let created = (await app.call('squads.create', {
      goal: 'SQUAD:diamond build the thing',
      maxConcurrent: 3,
    })) as Squad;
    created = await until(created.id, (s) => s.state === 'planned', 'the plan is ready');
    expect(created.waves).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(created.tasks.find((t) => t.id === 'e')?.dependsOn).toEqual(['a', 'b', 'c']);

    await app.call('squads.run', { id: created.id });
    // Sample the engine while the first wave works: its containers live at the same time.
    let most = 0;
    const sampling = (async () => {
      for (let i = 0; i < 300; i++) {
        const s = await squad(created.id);
        const sessions = s.tasks.flatMap((t) => (t.session ? [t.session] : []));
        const live = (await containersOf(sessions)).filter((c) => c.State === 'running');
        most = Math.max(most, live.length);
        if (s.endedAt) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const done = await until(created.id, (s) => s.endedAt !== null, 'the squad ends', 120_000);
    await sampling;
    expect(done.state, JSON.stringify(done.tasks, null, 1)).toBe('succeeded');
    expect(firstWave.arrived).toBe(3); // all three held a model request at once
    expect(most).toBeGreaterThanOrEqual(3);

    const at = (id: string, key: 'startedAt' | 'endedAt') =>
      Date.parse(done.tasks.find((t) => t.id === id)?.[key] ?? '');
    expect(at('d', 'startedAt')).toBeGreaterThanOrEqual(
      Math.max(at('a', 'endedAt'), at('b', 'endedAt')),
    );
    expect(at('e', 'startedAt')).toBeGreaterThanOrEqual(
      Math.max(at('a', 'endedAt'), at('b', 'endedAt'), at('c', 'endedAt')),
    );
    // Container lifetimes from the run history: the first wave's overlap.
    const { runs } = (await app.call('runs.list', { limit: 50 })) as { runs: RunRecord[] };
    const runOf = (id: string) =>
      runs.find((r) => r.session === done.tasks.find((t) => t.id === id)?.session);
    const run = (id: string): RunRecord => {
      const found = runOf(id);
      if (!found) throw new Error(`no run record for task ${id}`);
      return found;
    };
    const [ra, rb, rc] = [run('a'), run('b'), run('c')];
    expect(Date.parse(ra.startedAt)).toBeLessThan(Date.parse(rb.endedAt));
    expect(Date.parse(rb.startedAt)).toBeLessThan(Date.parse(rc.endedAt));
    expect(ra.trigger).toBe('squad');

    // What d was handed: a's and b's answers and the files they wrote; e got c's too.
    const d = app.llm.requests.find(
      (r) => who(r).task === 'd' && who(r).squad === 'diamond',
    ) as LlmRequest;
    expect(firstText(d)).toContain('RESULT-A');
    expect(firstText(d)).toContain('RESULT-B');
    expect(firstText(d)).toContain(`squads/${done.id}/a/a.txt`);
    expect(firstText(d)).not.toContain('RESULT-C');
    expect(done.tasks.find((t) => t.id === 'a')?.output).toEqual({
      answer: 'RESULT-A',
      files: [`squads/${done.id}/a/a.txt`],
    });
    for (const r of ['RESULT-A', 'RESULT-B', 'RESULT-C', 'RESULT-D', 'RESULT-E'])
      expect(done.result).toContain(r);
    expect(done.result).toContain('5 of 5 tasks succeeded');
  }, 180_000);

  it('a failed task skips exactly its dependents; a task past its timeout is stopped and marked timeout', async () => {
    const created = (await app.call('squads.create', {
      goal: 'SQUAD:failing try things',
      autoRun: true,
      maxConcurrent: 3,
      taskTimeoutSecs: 10,
    })) as Squad;
    const done = await until(created.id, (s) => s.endedAt !== null, 'the squad ends', 120_000);
    const state = Object.fromEntries(done.tasks.map((t) => [t.id, t.state]));
    expect(state, JSON.stringify(done.tasks.map((t) => [t.id, t.reason]))).toEqual({
      x: 'failed',
      y: 'skipped',
      z: 'skipped',
      w: 'timeout',
      v: 'skipped',
      u: 'succeeded',
    });
    expect(done.state).toBe('failed');
    expect(done.tasks.find((t) => t.id === 'x')?.reason).toContain(
      `scripted failure for ${'*'.repeat(REAL_KEY.length)}`,
    );
    expect(JSON.stringify(done)).not.toContain(REAL_KEY);
    expect(await readFile(join(app.dataDir, 'squads', `${done.id}.json`), 'utf8')).not.toContain(
      REAL_KEY,
    );
    expect(done.tasks.find((t) => t.id === 'y')?.reason).toBe('Skipped: "x" failed.');
    expect(done.tasks.find((t) => t.id === 'z')?.reason).toBe('Skipped: "y" was skipped.');
    expect(done.tasks.find((t) => t.id === 'v')?.reason).toBe('Skipped: "w" timed out.');
    // Skipped tasks never ran: no session, no model request.
    expect(done.tasks.filter((t) => t.state === 'skipped').every((t) => t.session === null)).toBe(
      true,
    );
    expect(app.llm.requests.some((r) => who(r).squad === 'failing' && who(r).task === 'y')).toBe(
      false,
    );
    const w = done.tasks.find((t) => t.id === 'w');
    const ms = Date.parse(w?.endedAt ?? '') - Date.parse(w?.startedAt ?? '');
    expect(ms).toBeLessThan(35_000); // stopped at its 10 s limit, long before the model's 40 s
    expect(await containersOf(done.tasks.flatMap((t) => (t.session ? [t.session] : [])))).toEqual(
      [],
    );
  }, 180_000);

  it('refuses a plan with a cycle and gets it repaired by the planner; refuses bad edits with a message', async () => {
    const created = (await app.call('squads.create', { goal: 'SQUAD:repair plan it' })) as Squad;
    const ready = await until(
      created.id,
      (s) => s.state === 'planned',
      'the repaired plan is ready',
    );
    expect(ready.planner.attempts).toBe(2);
    expect(ready.waves).toEqual([['p'], ['q']]);
    const planner = app.llm.requests.filter((r) => who(r).squad === 'repair' && !who(r).task);
    expect(planner).toHaveLength(2);
    expect(lastUserText(planner[1] as LlmRequest)).toMatch(
      /The dependencies form a cycle: p → q → p/,
    );

    const edit = (tasks: unknown[]) =>
      app.call('squads.updatePlan', { id: created.id, tasks }).catch((e: unknown) => e);
    const unknown = (await edit([
      { id: 'p', title: 'P', prompt: 'p', dependsOn: ['nope'] },
    ])) as AppError;
    expect(unknown).toBeInstanceOf(AppError);
    expect(unknown.message).toMatch(/"p" depends on "nope", which is not a task of the plan/);
    const many = (await edit(
      Array.from({ length: 21 }, (_, i) => ({
        id: `t${i}`,
        title: 'T',
        prompt: 't',
        dependsOn: [],
      })),
    )) as AppError;
    expect(many.message).toMatch(/21 tasks; at most 20/);
    expect((await squad(created.id)).waves).toEqual([['p'], ['q']]); // nothing lost
  }, 120_000);

  it('steering reaches a running task; cancelling the squad stops all its containers', async () => {
    const created = (await app.call('squads.create', {
      goal: 'SQUAD:steer work on it',
      autoRun: true,
    })) as Squad;
    await until(
      created.id,
      (s) => s.tasks.filter((t) => t.state === 'running').length === 2,
      'both first-wave tasks run',
    );
    // s1's model holds its first request: steer now, then let it answer.
    await expect
      .poll(() => app.llm.requests.some((r) => who(r).task === 's1'), { timeout: 30_000 })
      .toBe(true);
    await app.call('squads.message', { id: created.id, text: 'STEER-use-metric', task: 's1' });
    releaseSteer?.();
    const heard = await until(
      created.id,
      (s) => s.tasks.find((t) => t.id === 's1')?.state === 'succeeded',
      's1 answers',
    );
    expect(heard.tasks.find((t) => t.id === 's1')?.output?.answer).toContain('STEER-use-metric');
    const s2 = heard.tasks.find((t) => t.id === 's2')?.session as string;
    const s3 = await until(
      created.id,
      // Its session id is known a moment after it is marked running.
      (s) => !!s.tasks.find((t) => t.id === 's3' && t.state === 'running')?.session,
      's3 starts',
    );
    const sessions = [s2, s3.tasks.find((t) => t.id === 's3')?.session as string];
    await expect
      .poll(async () => (await containersOf(sessions)).length, { timeout: 30_000 })
      .toBe(2);

    await app.call('squads.cancel', { id: created.id });
    const cancelled = await until(
      created.id,
      (s) => s.endedAt !== null,
      'the cancelled squad ends',
    );
    expect(cancelled.state).toBe('cancelled');
    expect(Object.fromEntries(cancelled.tasks.map((t) => [t.id, t.state]))).toEqual({
      s1: 'succeeded',
      s2: 'cancelled',
      s3: 'cancelled',
    });
    await expect
      .poll(async () => (await containersOf(sessions)).length, { timeout: 30_000 })
      .toBe(0);
  }, 180_000);
});
