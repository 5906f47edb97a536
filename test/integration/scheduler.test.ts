import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group } from '../../src/shared/schemas/groups';
import type { Schedule, ScheduleRunLog } from '../../src/shared/schemas/schedules';
import type { SessionDetail } from '../../src/shared/schemas/sessions';
import { startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text } from '../helpers/scripted-llm';

const runDocker = requirePart('Docker', dockerRequirement());

/** A schedule on the real clock starts a real container session, and its log says how late. */
describe.runIf(runDocker)('the scheduler on the real engine', () => {
  let app: Awaited<ReturnType<typeof startAgentApp>>;
  beforeAll(async () => {
    app = await startAgentApp(() => ({ blocks: [text('Scheduled work done.')] }));
  });
  afterAll(() => app?.stop());

  it('fires a schedule due in 1 s, runs its session in a container, and logs its lateness', async () => {
    const due = new Date(Date.now() + 1000).toISOString();
    const schedule = (await app.call('schedules.create', {
      name: 'soon',
      prompt: 'do the scheduled thing',
      schedule: { type: 'once', value: due },
    })) as Schedule;
    expect(schedule.nextRun).toBe(due);
    const logs = async () =>
      ((await app.call('schedules.logs', { id: schedule.id })) as { logs: ScheduleRunLog[] }).logs;
    await expect.poll(async () => (await logs())[0]?.status, { timeout: 30_000 }).toBe('succeeded');
    const [entry] = await logs();
    process.stdout.write(`schedule fired ${entry?.lateByMs} ms after its due time\n`);
    expect(entry?.scheduledFor).toBe(due);
    expect(entry?.lateByMs).toBeGreaterThanOrEqual(0);
    expect(entry?.lateByMs).toBeLessThan(1000); // the target (p99 < 20 ms) is measured by npm run bench
    const session = (await app.call('sessions.get', { id: entry?.sessionId })) as SessionDetail;
    expect(session.trigger).toBe('schedule');
    expect(session.transcript.find((i) => i.kind === 'assistant')).toMatchObject({
      text: 'Scheduled work done.',
    });
    expect(((await app.call('schedules.get', { id: schedule.id })) as Schedule).lastStatus).toBe(
      'succeeded',
    );
  });

  it('logs a failed run with the cause when the group is gone', async () => {
    const group = (await app.call('groups.create', { name: 'temp' })) as Group;
    const schedule = (await app.call('schedules.create', {
      name: 'orphan',
      group: 'temp',
      prompt: 'p',
      schedule: { type: 'interval', value: '3600000' },
    })) as Schedule;
    await app.call('groups.delete', { id: group.id });
    const entry = (await app.call('schedules.run', { id: schedule.id })) as ScheduleRunLog;
    expect(entry).toMatchObject({ status: 'failed' });
    expect(entry.error).toContain('No group "temp"');
    const { items } = (await app.call('app.diagnostics')) as {
      items: { id: string; fix: string[] }[];
    };
    const problem = items.find((i) => i.id === `schedule-failed-${schedule.id}`);
    expect(problem?.fix.join(' ')).toContain('Pick an existing group');
  });
});
