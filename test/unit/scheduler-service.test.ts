import { join } from 'node:path';
import { setTimeout as realSleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { GroupsService } from '../../src/main/services/groups/groups-service';
import {
  SchedulerService,
  type ScheduleSessions,
} from '../../src/main/services/scheduler/scheduler-service';
import type { Session } from '../../src/shared/schemas/sessions';
import { startMountService } from '../helpers/mount-service';
import { silentLogger, tempDir } from '../helpers/temp';

/** Sessions that start at once and end when the test says. */
class FakeSessions implements ScheduleSessions {
  started: {
    at: number;
    group: string;
    prompt: string;
    resume: string | null;
    timeoutSecs: number;
  }[] = [];
  private readonly live = new Set<string>();
  private n = 0;
  async start(req: Parameters<ScheduleSessions['start']>[0]): Promise<string> {
    this.started.push({ at: Date.now(), ...req });
    const id = `20261129-000000-${(++this.n).toString(16).padStart(4, '0')}`;
    this.live.add(id);
    return id;
  }
  active(id: string): boolean {
    return this.live.has(id);
  }
  async outputTail(): Promise<string> {
    return 'tail';
  }
  end(bus: EventBus, id: string, lastStatus: Session['lastStatus'] = 'succeeded'): void {
    this.live.delete(id);
    bus.emit('session.updated', { id, state: 'ended', lastStatus, error: null } as Session);
  }
}

let t: Awaited<ReturnType<typeof tempDir>>;
let bus: EventBus;
let audit: AuditLog;
let groups: GroupsService;
let sessions: FakeSessions;
const services: SchedulerService[] = [];

async function scheduler(): Promise<SchedulerService> {
  const s = new SchedulerService({
    dataDir: join(t.path, 'data'),
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    groups,
    sessions,
  });
  await s.start();
  services.push(s);
  return s;
}

beforeEach(async () => {
  vi.useFakeTimers({
    now: Date.parse('2026-06-01T08:00:00Z'),
    toFake: ['setTimeout', 'clearTimeout', 'Date'],
  });
  t = await tempDir('aigo-sched-');
  bus = new EventBus();
  audit = new AuditLog({ dir: join(t.path, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  const mounts = await startMountService({
    dataDir: join(t.path, 'data'),
    home: join(t.path, 'home'),
    auditDir: join(t.path, 'audit2'),
  });
  groups = new GroupsService({
    dataDir: join(t.path, 'data'),
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    mounts: mounts.service,
    activeSessions: () => 0,
  });
  await groups.start();
  sessions = new FakeSessions();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  vi.useRealTimers();
  await audit.stop();
  await t.cleanup();
});

/**
 * Lets the fake clock run minute by minute, and after each step lets the real file I/O the
 * scheduler started (saving schedules, run logs) finish before the clock moves on.
 */
async function advance(ms: number): Promise<void> {
  const step = Math.min(ms, 60_000);
  for (let done = 0; done < ms; done += step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, ms - done));
    await realSleep(25); // node:timers/promises is not faked: real I/O completes meanwhile
  }
}

describe('the scheduler', () => {
  it('arms one timer for the nearest schedule and fires at its time', async () => {
    const s = await scheduler();
    await s.create({
      name: 'later',
      prompt: 'p',
      schedule: { type: 'once', value: '2026-06-01T09:00:00Z' },
    });
    await s.create({
      name: 'sooner',
      prompt: 'p',
      schedule: { type: 'once', value: '2026-06-01T08:30:00Z' },
    });
    await vi.advanceTimersByTimeAsync(300); // the throttled change event goes out
    expect(vi.getTimerCount()).toBe(1); // one timer for all schedules
    expect(s.nextDue).toBe(Date.parse('2026-06-01T08:30:00Z'));
    await advance(30 * 60_000);
    expect(sessions.started.map((r) => new Date(r.at).toISOString())).toEqual([
      '2026-06-01T08:30:00.000Z',
    ]);
    expect(s.get('sooner').nextRun).toBeNull();
    await advance(30 * 60_000);
    expect(sessions.started).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0); // nothing left to fire: no timer at all
  });

  it('keeps intervals on their grid, and skips a slot while the last run still runs', async () => {
    const s = await scheduler();
    const created = await s.create({
      name: 'tick',
      prompt: 'p',
      schedule: { type: 'interval', value: '60000' },
    });
    await advance(60_000);
    expect(sessions.started).toHaveLength(1);
    await advance(60_000); // still running: skipped
    expect(sessions.started).toHaveLength(1);
    const [skipped] = await s.logs.list(created.id, 1);
    expect(skipped).toMatchObject({
      status: 'skipped',
      error: expect.stringContaining('still running'),
    });
    sessions.end(bus, s.get('tick').runningSession as string);
    await advance(60_000);
    expect(sessions.started).toHaveLength(2);
    expect(sessions.started.map((r) => r.at - Date.parse('2026-06-01T08:00:00Z'))).toEqual([
      60_000, 180_000,
    ]);
    const logs = await s.logs.list(created.id, 10);
    expect(logs.map((l) => l.status)).toEqual(['succeeded', 'skipped']); // newest first: the run ended after the skip
  });

  it('runs an overdue schedule once after a clock jump, not once per missed slot', async () => {
    const s = await scheduler();
    await s.create({
      name: 'every-min',
      prompt: 'p',
      schedule: { type: 'interval', value: '60000' },
    });
    vi.setSystemTime(Date.now() + 3 * 3600_000); // the laptop slept three hours
    await advance(5 * 60_000); // the capped timer wakes and sees the jump
    expect(sessions.started).toHaveLength(1);
    expect(Date.parse(s.get('every-min').nextRun as string) - Date.now()).toBeLessThanOrEqual(
      60_000,
    );
  });

  it('survives a restart: schedules and next runs, and a missed run runs once (or is skipped)', async () => {
    const first = await scheduler();
    await first.create({
      name: 'run-me',
      prompt: 'p',
      schedule: { type: 'once', value: '2026-06-01T08:10:00Z' },
    });
    await first.create({
      name: 'skip-me',
      prompt: 'p',
      schedule: { type: 'once', value: '2026-06-01T08:10:00Z' },
      missedRuns: 'skip',
    });
    await first.create({
      name: 'cron',
      prompt: 'p',
      schedule: { type: 'cron', value: '0 12 * * *' },
      timezone: 'UTC',
    });
    await first.stop();
    services.splice(0);
    vi.setSystemTime(Date.parse('2026-06-01T08:20:00Z')); // aigo was closed at 08:10
    const second = await scheduler();
    expect(second.get('cron').nextRun).toBe('2026-06-01T12:00:00.000Z');
    await advance(1);
    expect(sessions.started).toHaveLength(1);
    const [skip] = await second.logs.list(second.get('skip-me').id, 1);
    expect(skip).toMatchObject({
      status: 'skipped',
      error: expect.stringContaining('not running'),
    });
    const [ran] = await second.logs.list(second.get('run-me').id, 1);
    expect(ran).toBeUndefined(); // still running; its log line comes when the session ends
    expect(second.runningEntry(second.get('run-me').id)?.lateByMs).toBeGreaterThanOrEqual(
      10 * 60_000,
    );
  });

  it('group context continues the last session; isolated starts a fresh one', async () => {
    const s = await scheduler();
    await s.create({ name: 'ctx', prompt: 'p', schedule: { type: 'interval', value: '60000' } });
    await s.create({
      name: 'iso',
      prompt: 'p',
      schedule: { type: 'interval', value: '60000' },
      contextMode: 'isolated',
    });
    await advance(60_000);
    for (const name of ['ctx', 'iso']) sessions.end(bus, s.get(name).runningSession as string);
    await advance(60_000);
    const second = sessions.started.slice(2);
    expect(second.find((r) => r.resume !== null)).toBeDefined();
    expect(second.filter((r) => r.resume === null)).toHaveLength(1);
  });

  it('refuses a bad expression, zone or group, naming the field', async () => {
    const s = await scheduler();
    await expect(
      s.create({ name: 'x', prompt: 'p', schedule: { type: 'cron', value: '99 * * * *' } }),
    ).rejects.toThrow(/schedule.value/);
    await expect(
      s.create({
        name: 'x',
        prompt: 'p',
        schedule: { type: 'cron', value: '0 9 * * *' },
        timezone: 'Nowhere/Here',
      }),
    ).rejects.toThrow(/^timezone/);
    await expect(
      s.create({
        name: 'x',
        prompt: 'p',
        group: 'nobody',
        schedule: { type: 'interval', value: '60000' },
      }),
    ).rejects.toThrow(/No group "nobody"/);
    expect(s.list()).toEqual([]);
  });

  it('starts each due slot once, however many schedules are due at the same instant', async () => {
    const s = await scheduler();
    for (let i = 0; i < 20; i++)
      await s.create({
        name: `at-nine-${i}`,
        prompt: 'p',
        schedule: { type: 'once', value: '2026-06-01T09:00:00Z' },
      });
    await advance(60 * 60_000);
    expect(sessions.started).toHaveLength(20);
    expect(new Set(sessions.started.map((r) => r.at)).size).toBe(1);
  });

  it('starts nothing after stop()', async () => {
    const s = await scheduler();
    for (let i = 0; i < 5; i++)
      await s.create({
        name: `n${i}`,
        prompt: 'p',
        schedule: { type: 'interval', value: '60000' },
      });
    await s.stop();
    await advance(10 * 60_000);
    expect(sessions.started).toHaveLength(0);
  });
});
