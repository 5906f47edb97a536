import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import type { GroupsService } from '../../src/main/services/groups/groups-service';
import { SquadService } from '../../src/main/services/squads/squad-service';
import { AppError } from '../../src/shared/errors';
import { defaultSettings, type Settings } from '../../src/shared/schemas/settings';
import type { Squad } from '../../src/shared/schemas/squads';
import { FakeSquadSessions } from '../helpers/fake-squad-sessions';
import { silentLogger, tempDir } from '../helpers/temp';

const groups = {
  get: (ref: string) => {
    if (ref !== 'main') throw new AppError('NOT_FOUND', `No group "${ref}".`);
    return { id: 'main', name: 'main', folder: 'main', workspaceFolder: null };
  },
} as unknown as GroupsService;

const plan = (...tasks: [string, string[]?][]) =>
  '```json\n' +
  JSON.stringify({
    tasks: tasks.map(([id, deps]) => ({
      id,
      title: `Title ${id}`,
      prompt: `TASK:${id} do it`,
      dependsOn: deps ?? [],
    })),
  }) +
  '\n```';

let t: Awaited<ReturnType<typeof tempDir>>;
let bus: EventBus;
let audit: AuditLog;
let sessions: FakeSquadSessions;
let settings: Settings['squads'];
const services: SquadService[] = [];

async function service(
  extra: Partial<ConstructorParameters<typeof SquadService>[0]> = {},
): Promise<SquadService> {
  const s = new SquadService({
    dataDir: join(t.path, 'data'),
    bus,
    audit,
    logger: silentLogger(),
    groups,
    sessions,
    settings: () => settings,
    workspaceOf: () => join(t.path, 'workspace'),
    ...extra,
  });
  await s.start();
  services.push(s);
  return s;
}

/** Waits until the services have made every change the test's events asked for. */
const settle = async () => {
  for (let round = 0; round < 3; round++) {
    // A microtask (the fake's close) may add work after a round: look again.
    await new Promise((resolve) => setTimeout(resolve, 1));
    for (const s of services) await s.settled();
  }
};

const task = (squad: Squad, id: string) => squad.tasks.find((x) => x.id === id);
const states = (squad: Squad) => Object.fromEntries(squad.tasks.map((x) => [x.id, x.state]));

beforeEach(async () => {
  t = await tempDir('aigo-squad-');
  bus = new EventBus();
  audit = new AuditLog({ dir: join(t.path, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  sessions = new FakeSquadSessions(bus);
  settings = { ...defaultSettings().squads };
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  vi.useRealTimers();
  await audit.stop();
  await t.cleanup();
});

/** A squad whose planner answered with `answer`, settled. */
async function planned(
  s: SquadService,
  answer: string,
  input: Partial<Parameters<SquadService['create']>[0]> = {},
) {
  const squad = await s.create({
    group: 'main',
    goal: 'Ship the report',
    autoRun: false,
    ...input,
  });
  const planner = squad.planner.session as string;
  expect(sessions.peek(planner)?.trigger).toBe('squad');
  sessions.finish(planner, 'succeeded', answer);
  await settle();
  return s.get(squad.id);
}

describe('squads with scripted sessions', () => {
  it('plans, waits for Run, then runs waves: the second only after its dependencies succeeded', async () => {
    const s = await service();
    const squad = await planned(
      s,
      plan(['a'], ['b'], ['c', ['a']], ['d', ['a', 'b']], ['e', ['c', 'd']]),
    );
    expect(squad.state).toBe('planned');
    expect(squad.waves).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(sessions.running()).toHaveLength(0); // nothing runs before the user says so

    await s.run(squad.id);
    expect(sessions.running().map((f) => f.prompts[0]?.match(/TASK:(\w)/)?.[1])).toEqual([
      'a',
      'b',
    ]);
    const a = sessions.find('TASK:a');
    expect(a.overrides[0]).toEqual({ timeoutSecs: 300, idleTimeoutSecs: 0 });
    sessions.finish(a.session.id, 'succeeded', 'A found 42', [
      {
        id: 'w1',
        kind: 'tool',
        turn: 1,
        tool: 'write_file',
        input: '{\n "path": "notes/a.md",\n "content": "…',
        status: 'ok',
        output: 'ok',
        ms: 3,
        time: new Date().toISOString(),
      },
    ]);
    await settle();
    // c needs only a: it starts; d waits for b.
    expect(states(s.get(squad.id))).toMatchObject({
      a: 'succeeded',
      b: 'running',
      c: 'running',
      d: 'pending',
    });
    expect(task(s.get(squad.id), 'a')?.output).toEqual({
      answer: 'A found 42',
      files: ['notes/a.md'],
    });
    expect(sessions.find('TASK:c').prompts[0]).toContain('A found 42');
    expect(sessions.find('TASK:c').prompts[0]).toContain('notes/a.md');

    sessions.finish(sessions.find('TASK:b').session.id, 'succeeded', 'B done');
    await settle();
    sessions.finish(sessions.find('TASK:c').session.id, 'succeeded', 'C done');
    sessions.finish(sessions.find('TASK:d').session.id, 'succeeded', 'D done');
    await settle();
    sessions.finish(sessions.find('TASK:e').session.id, 'succeeded', 'E done');
    await settle();
    const done = s.get(squad.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toContain('5 of 5 tasks succeeded');
    for (const x of ['A found 42', 'B done', 'C done', 'D done', 'E done'])
      expect(done.result).toContain(x);
  });

  it('keeps to maxConcurrent: the third task of a wave waits for a free slot', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c']), { maxConcurrent: 2 });
    await s.run(squad.id);
    expect(sessions.running()).toHaveLength(2);
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'ok');
    await settle();
    expect(states(s.get(squad.id))).toEqual({ a: 'succeeded', b: 'running', c: 'running' });
  });

  it('a failed task skips exactly its dependents, transitively; the rest goes on', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c', ['a']], ['d', ['c']], ['e', ['b']]));
    await s.run(squad.id);
    sessions.finish(sessions.find('TASK:a').session.id, 'failed');
    await settle();
    let now = s.get(squad.id);
    expect(states(now)).toEqual({
      a: 'failed',
      b: 'running',
      c: 'skipped',
      d: 'skipped',
      e: 'pending',
    });
    expect(task(now, 'c')?.reason).toBe('Skipped: "a" failed.');
    expect(task(now, 'd')?.reason).toBe('Skipped: "c" was skipped.');
    expect(task(now, 'a')?.reason).toBe('The container exited with code 1.');
    sessions.finish(sessions.find('TASK:b').session.id, 'succeeded', 'B');
    await settle();
    sessions.finish(sessions.find('TASK:e').session.id, 'timeout');
    await settle();
    now = s.get(squad.id);
    expect(task(now, 'e')).toMatchObject({
      state: 'timeout',
      reason: 'Stopped at its 300 s task limit.',
    });
    expect(now.state).toBe('failed');
    expect(now.result).toContain('1 of 5 tasks succeeded');
  });

  it('a refused plan goes back to the planner once with its problems; a second refusal fails the plan', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a', ['b']], ['b', ['a']]));
    expect(squad.state).toBe('planning');
    expect(squad.planner.attempts).toBe(2);
    expect(squad.planner.problems[0]).toMatch(/cycle/);
    const planner = sessions.all.get(squad.planner.session as string);
    expect(planner?.prompts[1]).toMatch(
      /Your plan was refused:\n- The dependencies form a cycle: a → b → a/,
    );
    sessions.finish(planner?.session.id as string, 'succeeded', plan(['a'], ['b', ['ghost']]));
    await settle();
    const failed = s.get(squad.id);
    expect(failed.state).toBe('plan_failed');
    expect(failed.error).toMatch(/"b" depends on "ghost"/);
    // Re-plan starts a new round with one repair again.
    await s.replan(squad.id, 'fewer tasks');
    expect(planner?.prompts[2]).toContain('What to change: fewer tasks');
    sessions.finish(planner?.session.id as string, 'succeeded', plan(['only']));
    await settle();
    expect(s.get(squad.id)).toMatchObject({ state: 'planned', waves: [['only']] });
  });

  it('refuses a plan of more tasks than allowed, and an edited plan with a cycle, saying why', async () => {
    const s = await service();
    const many = plan(...Array.from({ length: 21 }, (_, i) => [`t${i}`] as [string]));
    const squad = await planned(s, many);
    expect(squad.planner.problems).toEqual([
      'The plan has 21 tasks; at most 20 are allowed. Merge related tasks.',
    ]);
    sessions.finish(squad.planner.session as string, 'succeeded', plan(['x'], ['y', ['x']]));
    await settle();
    expect(s.get(squad.id).state).toBe('planned');
    const edit = [
      { id: 'x', title: 'X', prompt: 'x', dependsOn: ['y'] },
      { id: 'y', title: 'Y', prompt: 'y', dependsOn: ['x'] },
    ];
    await expect(s.updatePlan(squad.id, edit)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/cycle: x → y → x/),
    });
    expect(s.get(squad.id).waves).toEqual([['x'], ['y']]); // the planner's plan is kept
    await s.updatePlan(squad.id, [{ id: 'z', title: 'Z', prompt: 'z', dependsOn: [] }]);
    expect(s.get(squad.id).tasks.map((x) => x.id)).toEqual(['z']);
  });

  it('steering goes to the planner, to running tasks, and into the prompts of tasks yet to start', async () => {
    const s = await service();
    const squad = await s.create({ group: 'main', goal: 'g', autoRun: true });
    await s.message(squad.id, 'use British spelling');
    const planner = sessions.all.get(squad.planner.session as string);
    expect(planner?.steering).toEqual(['use British spelling']);
    sessions.finish(planner?.session.id as string, 'succeeded', plan(['a'], ['b', ['a']]));
    await settle();
    expect(s.get(squad.id).state).toBe('running'); // autoRun
    await s.message(squad.id, 'keep it short');
    await s.message(squad.id, 'only for b', 'b');
    expect(sessions.find('TASK:a').steering).toEqual(['keep it short']);
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'A');
    await settle();
    const b = sessions.find('TASK:b').prompts[0];
    expect(b).toContain('- use British spelling');
    expect(b).toContain('- keep it short');
    expect(b).toContain('- only for b');
    await expect(s.message(squad.id, 'x', 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cancelling a task skips its dependents; cancelling the squad stops every running task', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c', ['a']], ['d', ['b']]));
    await s.run(squad.id);
    await s.cancelTask(squad.id, 'a');
    await settle();
    expect(states(s.get(squad.id))).toEqual({
      a: 'cancelled',
      b: 'running',
      c: 'skipped',
      d: 'pending',
    });
    expect(task(s.get(squad.id), 'a')?.reason).toBe('Cancelled by the user.');
    await s.cancel(squad.id);
    expect(s.get(squad.id).state).toBe('cancelled');
    await settle();
    const now = s.get(squad.id);
    expect(states(now)).toEqual({ a: 'cancelled', b: 'cancelled', c: 'skipped', d: 'skipped' });
    expect(sessions.find('TASK:b').closed).toBe(1);
    expect(now.endedAt).not.toBeNull();
    expect(sessions.running()).toHaveLength(0);
  });

  it('stops the squad at its execution limit: running tasks stopped, the rest skipped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await service();
    const create = s.create({ group: 'main', goal: 'g', autoRun: true, executionTimeoutSecs: 60 });
    const squad = await create;
    sessions.finish(squad.planner.session as string, 'succeeded', plan(['a'], ['b', ['a']]));
    await vi.advanceTimersByTimeAsync(30);
    await vi.waitFor(() => expect(s.get(squad.id).state).toBe('running'));
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(s.get(squad.id).endedAt).not.toBeNull());
    const now = s.get(squad.id);
    expect(now).toMatchObject({
      state: 'timeout',
      error: 'the squad reached its 60 s execution limit.',
    });
    expect(states(now)).toEqual({ a: 'timeout', b: 'skipped' });
    expect(sessions.find('TASK:a').closed).toBe(1);
  });

  it('after a restart, tasks whose containers died are failed and their dependents skipped', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c', ['a']]));
    await s.run(squad.id);
    sessions.finish(sessions.find('TASK:b').session.id, 'succeeded', 'B');
    await settle();
    await s.stop();
    services.splice(0);
    sessions.interrupted(sessions.find('TASK:a').session.id);
    const again = await service();
    await settle();
    const now = again.get(squad.id);
    expect(states(now)).toEqual({ a: 'failed', b: 'succeeded', c: 'skipped' });
    expect(task(now, 'a')?.reason).toMatch(/aigo stopped while this task ran/);
    expect(now.state).toBe('failed');
    const onDisk = JSON.parse(
      await readFile(join(t.path, 'data', 'squads', `${squad.id}.json`), 'utf8'),
    ) as Squad;
    expect(onDisk.state).toBe('failed');
  });

  it('after a restart, a task that ended by itself while aigo stopped is taken as it ended', async () => {
    settings.onRestart = 'rerun';
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b', ['a']]));
    await s.run(squad.id);
    await s.stop();
    services.splice(0);
    // It failed on its own just as aigo stopped: the event was not handled in time.
    sessions.finish(sessions.find('TASK:a').session.id, 'failed');
    const again = await service();
    await settle();
    expect(states(again.get(squad.id))).toEqual({ a: 'failed', b: 'skipped' });
    expect(task(again.get(squad.id), 'a')?.reason).toBe('The container exited with code 1.');
  });

  it('after a restart with "run again", such tasks start again in new sessions', async () => {
    settings.onRestart = 'rerun';
    const s = await service();
    const squad = await planned(s, plan(['a']));
    await s.run(squad.id);
    const first = sessions.find('TASK:a').session.id;
    await s.stop();
    services.splice(0);
    sessions.interrupted(first);
    const again = await service();
    await settle();
    const now = again.get(squad.id);
    expect(task(now, 'a')).toMatchObject({ state: 'running' });
    expect(task(now, 'a')?.session).not.toBe(first);
    sessions.finish(task(now, 'a')?.session as string, 'succeeded', 'second time');
    await settle();
    expect(again.get(squad.id)).toMatchObject({ state: 'succeeded' });
  });

  it("lists a task's output folder without following links out of the workspace", async () => {
    const s = await service();
    const squad = await planned(s, plan(['a']));
    await s.run(squad.id);
    const out = join(t.path, 'workspace', 'squads', squad.id, 'a');
    await mkdir(join(out, 'sub'), { recursive: true });
    await writeFile(join(out, 'report.md'), 'r');
    await writeFile(join(out, 'sub', 'data.csv'), 'd');
    await mkdir(join(t.path, 'secret-dir'));
    await writeFile(join(t.path, 'secret-dir', 'id_rsa'), 'k');
    await symlink(join(t.path, 'secret-dir'), join(out, 'link'));
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'A');
    await settle();
    expect(task(s.get(squad.id), 'a')?.output?.files).toEqual([
      `squads/${squad.id}/a/report.md`,
      `squads/${squad.id}/a/sub/data.csv`,
    ]);
  });

  it('a squad cancelled just before aigo stopped ends cancelled after the restart, not failed', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b', ['a']]));
    await s.run(squad.id);
    const a = sessions.find('TASK:a').session.id;
    // Cancelled: a is asked to stop, but aigo stops before the session has ended.
    const close = sessions.close.bind(sessions);
    sessions.close = async (id) => sessions.peek(id) as never;
    await s.cancel(squad.id);
    sessions.close = close;
    await s.stop();
    services.splice(0);
    sessions.interrupted(a);
    const again = await service();
    await settle();
    const now = again.get(squad.id);
    expect(now.state).toBe('cancelled');
    expect(states(now)).toEqual({ a: 'cancelled', b: 'skipped' });
    expect(now.endedAt).not.toBeNull();
  });

  it('bounds what a squad keeps: steering notes, and long answers', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a']));
    for (let i = 0; i < 100; i++) await s.message(squad.id, `note ${i}`);
    await expect(s.message(squad.id, 'one more')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/as many steering notes as it keeps \(100 notes/),
    });
    await s.run(squad.id);
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'x'.repeat(50_000));
    await settle();
    const answer = task(s.get(squad.id), 'a')?.output?.answer ?? '';
    expect(answer.length).toBeLessThan(20_200);
    expect(answer).toMatch(/30000 more characters: the whole answer is in the task's transcript/);
  });

  it('runs again what did not succeed, keeping what did', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c', ['b']]));
    await s.run(squad.id);
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'A');
    sessions.finish(sessions.find('TASK:b').session.id, 'failed');
    await settle();
    expect(s.get(squad.id).state).toBe('failed');
    const firstB = task(s.get(squad.id), 'b')?.session;
    await s.run(squad.id);
    expect(states(s.get(squad.id))).toEqual({ a: 'succeeded', b: 'running', c: 'pending' });
    const b = task(s.get(squad.id), 'b')?.session as string;
    expect(b).not.toBe(firstB);
    sessions.finish(b, 'succeeded', 'B');
    await settle();
    sessions.finish(task(s.get(squad.id), 'c')?.session as string, 'succeeded', 'C');
    await settle();
    expect(s.get(squad.id)).toMatchObject({ state: 'succeeded', error: null });
    expect(s.get(squad.id).result).toContain('3 of 3 tasks succeeded');
    await expect(s.run(squad.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('runs a cancelled squad again only once its tasks have stopped, and a task cancelled before does not stay cancelled', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b']));
    await s.run(squad.id);
    await s.cancelTask(squad.id, 'a');
    await settle();
    const close = sessions.close.bind(sessions);
    sessions.close = async (id) => sessions.peek(id) as never; // b takes its time to stop
    await s.cancel(squad.id);
    sessions.close = close;
    await expect(s.run(squad.id)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/still stopping its tasks/),
    });
    sessions.finish(sessions.find('TASK:b').session.id, 'cancelled');
    await settle();
    await s.run(squad.id);
    const rerun = s.get(squad.id);
    expect(states(rerun)).toEqual({ a: 'running', b: 'running' });
    sessions.finish(task(rerun, 'a')?.session as string, 'succeeded', 'A');
    sessions.finish(task(rerun, 'b')?.session as string, 'succeeded', 'B');
    await settle();
    expect(s.get(squad.id).state).toBe('succeeded');
  });

  it('what "Pause all agents" stopped runs again instead of failing, even when resumed before it ended', async () => {
    const s = await service();
    const squad = await s.create({ group: 'main', goal: 'g', autoRun: true });
    const planner = squad.planner.session as string;
    s.agentsPaused(); // the planner is at work: paused before it answered
    sessions.finish(planner, 'cancelled');
    await settle();
    expect(s.get(squad.id).state).toBe('planning');
    expect(sessions.all.get(planner)?.prompts[1]).toMatch(/^You were paused before you answered/);
    sessions.finish(planner, 'succeeded', plan(['a'], ['b', ['a']]));
    await settle();
    const first = sessions.find('TASK:a').session.id;
    s.agentsPaused();
    // Resumed within the close grace: the session still ends cancelled, as Pause asked.
    sessions.finish(first, 'cancelled');
    await settle();
    const a = task(s.get(squad.id), 'a');
    expect(a?.state).toBe('running');
    expect(a?.session).not.toBe(first); // a new session (queued until the resume)
    sessions.finish(a?.session as string, 'succeeded', 'A');
    await settle();
    expect(task(s.get(squad.id), 'b')?.state).toBe('running');
    // A user's own stop of a task session is not the pause's: it cancels the task.
    sessions.finish(task(s.get(squad.id), 'b')?.session as string, 'cancelled');
    await settle();
    expect(task(s.get(squad.id), 'b')?.state).toBe('cancelled');
  });

  it('refuses to run a squad cancelled before its plan ran', async () => {
    const s = await service();
    const squad = await s.create({ group: 'main', goal: 'g', autoRun: false });
    await s.cancel(squad.id);
    await settle();
    await expect(s.run(squad.id)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/cancelled before its plan ran; start a new squad/),
    });
    expect(s.get(squad.id).state).toBe('cancelled');
  });

  it('starts no more tasks once aigo begins to stop', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b'], ['c']));
    const create = sessions.create.bind(sessions);
    let release: () => void = () => undefined;
    let held = false;
    sessions.create = async (input) => {
      sessions.create = create;
      held = true;
      await new Promise<void>((r) => (release = r));
      return create(input);
    };
    const running = s.run(squad.id);
    await vi.waitFor(() => expect(held).toBe(true));
    const stopped = s.stop();
    services.splice(0);
    release();
    await running;
    await stopped;
    expect(sessions.all.size).toBe(2); // the planner and the task that was being started
    expect(states(s.get(squad.id))).toMatchObject({ b: 'pending', c: 'pending' });
  });

  it("a cancel while the planner's answer is read is not undone by the plan", async () => {
    const s = await service();
    const squad = await s.create({ group: 'main', goal: 'g', autoRun: true });
    const get = sessions.get.bind(sessions);
    let release: () => void = () => undefined;
    let held = false;
    sessions.get = async (id) => {
      held = true;
      await new Promise<void>((r) => (release = r));
      return get(id);
    };
    sessions.finish(squad.planner.session as string, 'succeeded', plan(['a']));
    // The plan's reading now waits on the transcript (held): cancel while it does.
    await vi.waitFor(() => expect(held).toBe(true));
    const cancelled = s.cancel(squad.id);
    release();
    await cancelled;
    sessions.get = get;
    await settle();
    expect(s.get(squad.id).state).toBe('cancelled');
    expect(sessions.running()).toHaveLength(0);
  });

  it("an agent's malformed output line neither blocks its squad nor aigo's next start", async () => {
    const s = await service();
    const squad = await planned(s, plan(['a'], ['b', ['a']]));
    await s.run(squad.id);
    const bad = {
      id: 'w1',
      kind: 'tool' as const,
      turn: 1,
      tool: 'write_file',
      input: '{"path": "\\x"}',
      status: 'ok' as const,
      output: 'ok',
      ms: 1,
      time: new Date().toISOString(),
    };
    sessions.finish(sessions.find('TASK:a').session.id, 'succeeded', 'A', [bad]);
    await settle();
    expect(states(s.get(squad.id))).toEqual({ a: 'succeeded', b: 'running' });
    await s.stop();
    services.splice(0);
    const again = await service();
    expect(states(again.get(squad.id))).toEqual({ a: 'succeeded', b: 'failed' });
  });

  it('refuses a re-plan while someone resumed the planner, and reads a long plan whole', async () => {
    const s = await service();
    const long = plan(...Array.from({ length: 12 }, (_, i) => [`t${i}`] as [string]));
    const padded = long.replace(/do it/g, `do it ${'x'.repeat(1800)}`);
    expect(padded.length).toBeGreaterThan(20_000);
    const squad = await planned(s, padded);
    expect(squad.state).toBe('planned');
    expect(squad.tasks).toHaveLength(12);
    const planner = squad.planner.session as string;
    await sessions.message(planner, 'and also…'); // resumed from Cowork
    await expect(s.replan(squad.id)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/wait until it has ended, or stop it/),
    });
    expect(s.get(squad.id).state).toBe('planned');
  });

  it('refuses what does not fit the state, saying what to do', async () => {
    const s = await service();
    const squad = await planned(s, plan(['a']));
    await expect(s.cancelTask(squad.id, 'a')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'The plan has not started: edit the plan to remove the task.',
    });
    await s.run(squad.id);
    await expect(s.run(squad.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(s.replan(squad.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(() => s.get('sq-20260101-000000-abcd')).toThrow(/No squad/);
    await expect(s.create({ group: 'nope', goal: 'g', autoRun: false })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
