import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { GroupsService } from '../../src/main/services/groups/groups-service';
import { SchedulerService } from '../../src/main/services/scheduler/scheduler-service';
import { SchedulerTaskRouter } from '../../src/main/services/scheduler/task-router';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import type { Group } from '../../src/shared/schemas/groups';
import { startMountService } from '../helpers/mount-service';
import { silentLogger, tempDir } from '../helpers/temp';

/** Agents manage schedules through task files: their own group's, and only main any group's. */
describe('task files from agents, to the scheduler', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let audit: AuditLog;
  let scheduler: SchedulerService;
  let router: SchedulerTaskRouter;
  let main: Group;
  let family: Group;
  let work: Group;

  beforeEach(async () => {
    t = await tempDir('aigo-sched-tasks-');
    const bus = new EventBus();
    audit = new AuditLog({ dir: join(t.path, 'audit'), bus, logger: silentLogger() });
    await audit.start();
    const mounts = await startMountService({
      dataDir: join(t.path, 'data'),
      home: join(t.path, 'home'),
      auditDir: join(t.path, 'a2'),
    });
    const groups = new GroupsService({
      dataDir: join(t.path, 'data'),
      bus,
      audit,
      logger: silentLogger(),
      warnings: new WarningCenter(bus),
      mounts: mounts.service,
      activeSessions: () => 0,
    });
    await groups.start();
    main = groups.main();
    family = await groups.create({ name: 'family' });
    work = await groups.create({ name: 'work' });
    scheduler = new SchedulerService({
      dataDir: join(t.path, 'data'),
      bus,
      audit,
      logger: silentLogger(),
      warnings: new WarningCenter(bus),
      groups,
      sessions: {
        start: async () => '20261129-000000-aaaa',
        active: () => false,
        outputTail: async () => '',
      },
    });
    await scheduler.start();
    router = new SchedulerTaskRouter(scheduler, groups, audit);
  });
  afterEach(async () => {
    await scheduler.stop();
    await audit.stop();
    await t.cleanup();
  });

  const task = (group: Group, body: Record<string, unknown>) =>
    router.handle({
      id: `${Date.now()}.json`,
      group,
      session: '20261129-000000-bbbb',
      task: { ...body, type: String(body.type) },
    });

  it('creates a schedule for the sending group only', async () => {
    const result = await task(family, {
      type: 'schedule_task',
      name: 'water plants',
      prompt: 'remind me',
      schedule: { type: 'cron', value: '0 8 * * *' },
      group: 'family',
    });
    expect(result.status).toBe('delivered');
    expect(scheduler.get('water plants')).toMatchObject({
      group: 'family',
      createdBy: 'agent:family',
    });
  });

  it("refuses a non-main group pausing, changing or cancelling another group's schedule, and audits it", async () => {
    const theirs = await scheduler.create({
      name: 'payroll',
      group: 'work',
      prompt: 'p',
      schedule: { type: 'interval', value: '3600000' },
    });
    for (const type of ['pause_task', 'update_task', 'cancel_task']) {
      const result = await task(family, { type, taskId: theirs.id, prompt: 'hijacked' });
      expect(result.detail).toMatch(/^Refused: Group "family" may only manage its own schedules/);
    }
    expect(scheduler.get(theirs.id)).toMatchObject({ enabled: true, prompt: 'p' });
    const { entries } = await audit.query(
      auditQuerySchema.parse({ severity: 'violation', category: 'ipc' }),
    );
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries[0]).toMatchObject({
      group: 'family',
      details: { targetGroup: 'work', taskId: theirs.id },
    });
    // Main may; and the owner may.
    expect((await task(work, { type: 'pause_task', taskId: theirs.id })).status).toBe('delivered');
    expect((await task(main, { type: 'resume_task', taskId: theirs.id })).status).toBe('delivered');
    expect((await task(main, { type: 'cancel_task', taskId: theirs.id })).status).toBe('delivered');
    expect(scheduler.list().some((s) => s.id === theirs.id)).toBe(false);
  });

  it('answers a bad request with the reason instead of retrying it', async () => {
    const result = await task(family, {
      type: 'schedule_task',
      prompt: 'x',
      schedule: { type: 'cron', value: 'every day' },
    });
    expect(result).toMatchObject({
      status: 'kept',
      detail: expect.stringMatching(/^Refused: schedule.value/),
    });
    expect((await task(family, { type: 'pause_task', taskId: 'nope' })).detail).toMatch(
      /^Refused: No schedule "nope"/,
    );
  });
});
