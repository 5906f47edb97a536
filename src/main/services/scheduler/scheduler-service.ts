import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  createScheduleSchema,
  scheduleContainerConfigSchema,
  updateScheduleSchema,
  type CreateSchedule,
  type Schedule,
  type ScheduleRunLog,
  type ScheduleRunStatus,
  type UpdateSchedule,
} from '../../../shared/schemas/schedules';
import type { Session } from '../../../shared/schemas/sessions';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { GroupsService } from '../groups/groups-service';
import { ScheduleRunLogs } from './run-logs';
import { ScheduleStore } from './schedule-store';
import { checkSpec, nextFire } from './schedule-math';

export { SCHEDULES_FILE } from './schedule-store';

/** Fires started at once when many schedules are due together. */
const FIRE_CONCURRENCY = 8;
/** At most this often, the `schedules.changed` event (a list of thousands is not free to send). */
const EVENT_EVERY_MS = 250;
/** Marks a slot taken while its session is being started, so no second tick takes it too. */
const STARTING = 'starting';

/** How a schedule's run starts a session, and what became of it. */
export interface ScheduleSessions {
  /** Starts a session (or, with `resume`, continues that one); returns its id. */
  start(req: {
    group: string;
    prompt: string;
    resume: string | null;
    timeoutSecs: number;
    image: string | null;
  }): Promise<string>;
  active(sessionId: string): boolean;
  /** The end of the session's last run, for the log. */
  outputTail(sessionId: string): Promise<string>;
}

export interface SchedulerDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  groups: GroupsService;
  sessions: ScheduleSessions;
  now?: () => number;
  /** The one timer is re-armed at least this often, so a wall-clock jump is noticed. */
  maxArmMs?: number;
}

/**
 * Schedules that start agent sessions: cron (local time or the schedule's zone), intervals on
 * a fixed grid from their anchor, and one-off times. One timer for the nearest due schedule,
 * re-armed on every change — no polling loop, no timer per schedule.
 */
export class SchedulerService {
  private readonly store: ScheduleStore;
  private ticking = false;
  private eventTimer: NodeJS.Timeout | null = null;
  readonly logs: ScheduleRunLogs;
  private timer: NodeJS.Timeout | null = null;
  private armedFor: number | null = null;
  /** Runs under way: schedule id → its log entry so far. */
  private readonly running = new Map<string, ScheduleRunLog>();
  private offSessions: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.store = new ScheduleStore(deps.dataDir, deps);
    this.logs = new ScheduleRunLogs(join(deps.dataDir, 'schedules', 'logs'));
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async start(): Promise<void> {
    await this.store.load();
    await this.logs.start();
    const now = this.now();
    for (const s of this.store.all()) {
      // A run under way when aigo stopped did not finish: its session was marked interrupted.
      if (s.runningSession) s.runningSession = null;
      if (!s.enabled || s.nextRun === null) continue;
      const due = Date.parse(s.nextRun);
      if (due > now) continue;
      if (s.missedRuns === 'skip') {
        await this.log(s, {
          scheduledFor: due,
          status: 'skipped',
          error: 'Missed while aigo was not running (missed runs: skip).',
        });
        s.nextRun = this.next(s, due);
      }
      // run_once: nextRun stays in the past, so the first timer fires it once, now.
    }
    await this.store.saveNow();
    this.offSessions = this.deps.bus.on(
      'session.updated',
      (session) => void this.sessionChanged(session),
    );
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.timer = null;
    this.eventTimer = null;
    this.offSessions?.();
    await this.logs.flush();
    await this.store.flush();
  }

  list(): Schedule[] {
    return this.store.all();
  }

  get(id: string): Schedule {
    const found = this.store.get(id) ?? this.list().find((s) => s.name === id);
    if (!found)
      throw new AppError(
        'NOT_FOUND',
        `No schedule "${id}". GET /api/v1/container/schedules lists them.`,
        { id },
      );
    return found;
  }

  async create(input: CreateSchedule, createdBy = 'user'): Promise<Schedule> {
    const parsed = createScheduleSchema.parse(input);
    checkSpec(parsed.schedule, parsed.timezone);
    const group = this.deps.groups.get(parsed.group);
    const now = this.now();
    const iso = new Date(now).toISOString();
    const schedule: Schedule = {
      ...parsed,
      id: randomUUID(),
      group: group.name,
      containerConfig: scheduleContainerConfigSchema.parse(parsed.containerConfig),
      nextRun: null,
      lastRun: null,
      lastStatus: null,
      runningSession: null,
      createdBy,
      createdAt: iso,
      updatedAt: iso,
    };
    this.store.anchors.set(schedule.id, now);
    schedule.nextRun = schedule.enabled ? this.next(schedule, null) : null;
    this.store.set(schedule);
    await this.save();
    this.audit(`Schedule "${schedule.name}" created for group ${group.name}`, schedule, createdBy);
    return schedule;
  }

  async update(input: UpdateSchedule): Promise<Schedule> {
    const { id, containerConfig, ...patch } = updateScheduleSchema.parse(input);
    const before = this.get(id);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const after: Schedule = {
      ...before,
      ...defined,
      containerConfig: scheduleContainerConfigSchema.parse({
        ...before.containerConfig,
        ...containerConfig,
      }),
      updatedAt: new Date(this.now()).toISOString(),
    };
    checkSpec(after.schedule, after.timezone);
    after.group = this.deps.groups.get(after.group).name;
    if (JSON.stringify(after.schedule) !== JSON.stringify(before.schedule))
      this.store.anchors.set(after.id, this.now());
    after.nextRun = after.enabled ? this.next(after, null) : null;
    this.store.set(after);
    await this.save();
    this.audit(`Schedule "${after.name}" changed`, after, 'user');
    return after;
  }

  setEnabled(id: string, enabled: boolean): Promise<Schedule> {
    return this.update({ id: this.get(id).id, enabled });
  }

  async delete(id: string): Promise<void> {
    const schedule = this.get(id);
    this.store.remove(schedule.id);
    await this.save();
    await this.logs.remove(schedule.id);
    this.audit(`Schedule "${schedule.name}" deleted`, schedule, 'user');
  }

  /** Runs a schedule now, off its grid (its next regular run stays where it was). */
  async runNow(id: string): Promise<ScheduleRunLog> {
    const schedule = this.get(id);
    return this.fire(schedule, this.now(), false);
  }

  private next(s: Schedule, lastScheduled: number | null): string | null {
    const at = nextFire({
      spec: s.schedule,
      timezone: s.timezone,
      anchor: this.store.anchors.get(s.id) ?? Date.parse(s.createdAt),
      lastScheduled,
      now: this.now(),
    });
    return at === null ? null : new Date(at).toISOString();
  }

  /** One timer, for the nearest due schedule (capped, so a clock jump is seen in time). */
  private arm(): void {
    if (this.stopped || this.ticking) return; // a tick re-arms when it is done
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let nearest = Infinity;
    for (const s of this.store.all())
      if (s.enabled && s.nextRun !== null) nearest = Math.min(nearest, Date.parse(s.nextRun));
    if (nearest === Infinity) {
      this.armedFor = null;
      return;
    }
    this.armedFor = nearest;
    const wait = Math.max(0, Math.min(nearest - this.now(), this.deps.maxArmMs ?? 5 * 60_000));
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref?.();
  }

  /** The nearest due time the timer is set for (for tests and the benchmark). */
  get nextDue(): number | null {
    return this.armedFor;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.ticking = true;
    try {
      const now = this.now();
      const due = this.list().filter(
        (s) => s.enabled && s.nextRun !== null && Date.parse(s.nextRun) <= now,
      );
      // Independent schedules start side by side, a few at a time.
      for (let i = 0; i < due.length && !this.stopped; i += FIRE_CONCURRENCY)
        await Promise.all(
          due
            .slice(i, i + FIRE_CONCURRENCY)
            .map((s) =>
              this.fire(s, Date.parse(s.nextRun as string), true).catch((error: unknown) =>
                this.deps.logger.error({ err: error, schedule: s.id }, 'A schedule could not run'),
              ),
            ),
        );
    } finally {
      this.ticking = false;
      this.arm();
    }
  }

  private async fire(
    schedule: Schedule,
    scheduledFor: number,
    onGrid: boolean,
  ): Promise<ScheduleRunLog> {
    const startedAt = this.now();
    const current = this.get(schedule.id);
    // Taken at once, before any wait: the next slot is computed and the schedule marked busy,
    // so nothing (a second tick, Run now) can start this slot twice.
    const stillRunning =
      current.runningSession === STARTING ||
      (current.runningSession !== null && this.deps.sessions.active(current.runningSession));
    const patch: Partial<Schedule> = { lastRun: new Date(startedAt).toISOString() };
    if (onGrid) patch.nextRun = this.next(current, scheduledFor);
    if (stillRunning) {
      this.change(current.id, { ...patch, lastStatus: 'skipped' });
      this.saveSoon();
      return this.log(current, {
        scheduledFor,
        status: 'skipped',
        error: 'Skipped: the previous run of this schedule is still running.',
      });
    }
    this.change(current.id, { ...patch, runningSession: STARTING, lastStatus: 'running' });
    let entry = this.entry(current, scheduledFor, startedAt, 'running', null, null);
    try {
      if (this.stopped) throw new Error('aigo is stopping.');
      const sessionId = await this.deps.sessions.start({
        group: current.group,
        prompt: current.prompt,
        resume:
          current.contextMode === 'group'
            ? (this.store.lastSessions.get(current.id) ?? null)
            : null,
        timeoutSecs: current.containerConfig.timeoutSecs,
        image: current.containerConfig.image,
      });
      entry = { ...entry, sessionId };
      this.running.set(current.id, entry);
      this.store.lastSessions.set(current.id, sessionId);
      this.change(current.id, { runningSession: sessionId });
    } catch (error) {
      entry = await this.log(current, {
        scheduledFor,
        status: 'failed',
        error: (error as Error).message,
      });
      this.change(current.id, { runningSession: null, lastStatus: 'failed' });
    }
    this.saveSoon();
    return entry;
  }

  private async sessionChanged(session: Session): Promise<void> {
    if (session.state !== 'ended') return;
    for (const [scheduleId, entry] of this.running) {
      if (entry.sessionId !== session.id) continue;
      this.running.delete(scheduleId);
      const status: ScheduleRunStatus = session.lastStatus ?? 'failed';
      await this.logs.append({
        ...entry,
        endedAt: new Date(this.now()).toISOString(),
        status,
        error: session.error,
        outputTail: await this.deps.sessions.outputTail(session.id).catch(() => ''),
      });
      if (this.store.get(scheduleId)) {
        this.change(scheduleId, { runningSession: null, lastStatus: status });
        this.saveSoon();
      }
    }
  }

  private entry(
    s: Schedule,
    scheduledFor: number,
    startedAt: number,
    status: ScheduleRunStatus,
    error: string | null,
    sessionId: string | null,
  ): ScheduleRunLog {
    return {
      runId: randomUUID(),
      scheduleId: s.id,
      scheduledFor: new Date(scheduledFor).toISOString(),
      startedAt: new Date(startedAt).toISOString(),
      endedAt: status === 'running' ? null : new Date(startedAt).toISOString(),
      lateByMs: Math.max(0, startedAt - scheduledFor),
      status,
      error,
      sessionId,
      outputTail: '',
    };
  }

  private async log(
    s: Schedule,
    r: { scheduledFor: number; status: ScheduleRunStatus; error: string | null },
  ): Promise<ScheduleRunLog> {
    const entry = this.entry(s, r.scheduledFor, this.now(), r.status, r.error, null);
    await this.logs.append(entry);
    return entry;
  }

  /** Runs under way, as log entries, for the logs view. */
  runningEntry(scheduleId: string): ScheduleRunLog | null {
    return this.running.get(scheduleId) ?? null;
  }

  /** Changes a schedule in memory (the caller saves). */
  private change(id: string, patch: Partial<Schedule>): void {
    const current = this.store.get(id);
    if (current) this.store.set({ ...current, ...patch });
  }

  /** The scheduler's own bookkeeping (next run, last status): written soon, with others. */
  private saveSoon(): void {
    this.announce();
    this.store.saveSoon();
  }

  /** A change the user (or an agent) made: written at once. */
  private async save(): Promise<void> {
    this.announce();
    await this.store.saveNow();
  }

  /** Re-arms the timer and tells clients (throttled). */
  private announce(): void {
    this.arm();
    if (!this.stopped)
      this.eventTimer ??= setTimeout(() => {
        this.eventTimer = null;
        this.deps.bus.emit('schedules.changed', { schedules: this.list() });
      }, EVENT_EVERY_MS);
    this.eventTimer?.unref?.();
  }

  private audit(message: string, s: Schedule, by: string): void {
    this.deps.audit.record({
      severity: 'info',
      category: 'schedules',
      group: s.group,
      message,
      details: { id: s.id, schedule: s.schedule, by },
    });
  }
}
