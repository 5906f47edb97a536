import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Squad } from '../../src/shared/schemas/squads';
import { startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text, type LlmRequest, type Turn } from '../helpers/scripted-llm';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());

const firstText = (req: LlmRequest) => {
  const first = req.body.messages[0]?.content;
  return typeof first === 'string' ? first : (first?.map((b) => b.text ?? '').join(' ') ?? '');
};

const PLAN =
  '```json\n' +
  JSON.stringify({
    tasks: [
      { id: 'slow', title: 'Slow', prompt: 'TASK:slow work', dependsOn: [] },
      { id: 'after', title: 'After', prompt: 'TASK:after finish', dependsOn: ['slow'] },
    ],
  }) +
  '\n```';

/**
 * aigo stops while a squad's task runs (its container stops with it). At the next start the
 * squad goes on: the task is failed and its dependents skipped, or it runs again, per setting.
 */
describe.runIf(runDocker)('a squad across an aigo restart', () => {
  const docker = new Docker();
  let t: Awaited<ReturnType<typeof tempDir>>;
  let app: Awaited<ReturnType<typeof startAgentApp>> | null = null;
  /** Before the restart the slow task never answers in time; after it, it answers at once. */
  let restarted = false;
  const script = (_n: number, req: LlmRequest): Turn => {
    const task = /TASK:(\w+)/.exec(firstText(req))?.[1];
    if (!task) return { blocks: [text(PLAN)] };
    if (task === 'slow' && !restarted) return { blocks: [text('late')], delayMs: 120_000 };
    return { blocks: [text(`DONE-${task}`)] };
  };

  beforeAll(async () => {
    t = await tempDir('aigo-squad-restart-');
  });
  afterAll(async () => {
    await app?.stop();
    await t?.cleanup();
  });

  const squadOf = (id: string) => app?.call('squads.get', { id }) as Promise<Squad>;
  const until = async (id: string, pred: (s: Squad) => boolean, what: string) => {
    await expect
      .poll(async () => pred(await squadOf(id)), { timeout: 60_000, interval: 200, message: what })
      .toBe(true);
    return squadOf(id);
  };

  /** Starts a squad, waits until its slow task's container runs, and stops aigo. */
  async function interrupted(dataDir: string): Promise<{ id: string; session: string }> {
    restarted = false;
    app = await startAgentApp(script, { dataDir });
    const created = (await app.call('squads.create', {
      goal: 'restart me',
      autoRun: true,
    })) as Squad;
    const running = await until(
      created.id,
      // Its session id is known a moment after it is marked running (the session is created).
      (s) => !!s.tasks.find((x) => x.id === 'slow' && x.state === 'running')?.session,
      'the slow task runs',
    );
    const session = running.tasks.find((x) => x.id === 'slow')?.session as string;
    await expect
      .poll(
        async () =>
          (await docker.listContainers({ filters: { label: [`org.aigo.session=${session}`] } }))
            .length,
        { timeout: 30_000 },
      )
      .toBe(1);
    await app.stop();
    app = null;
    restarted = true;
    return { id: created.id, session };
  }

  it('marks the interrupted task failed and skips its dependents (the default)', async () => {
    const dataDir = join(t.path, 'fail');
    const { id, session } = await interrupted(dataDir);
    app = await startAgentApp(script, { dataDir });
    const after = await until(id, (s) => s.endedAt !== null, 'the squad ends after the restart');
    expect(after.state).toBe('failed');
    expect(after.tasks.map((x) => [x.id, x.state])).toEqual([
      ['slow', 'failed'],
      ['after', 'skipped'],
    ]);
    expect(after.tasks[0]?.reason).toMatch(/aigo stopped while this task ran/);
    expect(after.tasks[1]?.reason).toBe('Skipped: "slow" failed.');
    expect(
      await docker.listContainers({
        all: true,
        filters: { label: [`org.aigo.session=${session}`] },
      }),
    ).toEqual([]);
    await app.stop();
    app = null;
  }, 180_000);

  it('runs the interrupted task again when Settings say so, and the squad completes', async () => {
    const dataDir = join(t.path, 'rerun');
    app = await startAgentApp(script, { dataDir });
    await app.call('settings.update', { squads: { onRestart: 'rerun' } });
    await app.stop();
    app = null;
    const { id, session } = await interrupted(dataDir);
    app = await startAgentApp(script, { dataDir });
    const after = await until(id, (s) => s.endedAt !== null, 'the squad ends after the restart');
    expect(after.state, JSON.stringify(after.tasks, null, 1)).toBe('succeeded');
    const slow = after.tasks.find((x) => x.id === 'slow');
    expect(slow?.session).not.toBe(session); // a new session ran it
    expect(slow?.output?.answer).toBe('DONE-slow');
    expect(after.result).toContain('DONE-after');
  }, 180_000);
});
