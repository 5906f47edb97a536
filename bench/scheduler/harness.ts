import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { GroupsService } from '../../src/main/services/groups/groups-service';
import {
  SCHEDULES_FILE,
  SchedulerService,
  type ScheduleSessions,
} from '../../src/main/services/scheduler/scheduler-service';
import type { Schedule } from '../../src/shared/schemas/schedules';
import type { Session } from '../../src/shared/schemas/sessions';
import { startMountService } from '../../test/helpers/mount-service';
import { silentLogger, tempDir } from '../../test/helpers/temp';

/** Wall-clock ms with sub-ms resolution, on the same epoch as Date.now() (the service's clock). */
export const clock = (): number => performance.timeOrigin + performance.now();

export interface StartCall {
  /** clock() when the service called start(). */
  at: number;
  prompt: string;
  sessionId: string;
}

/**
 * The scheduler's ScheduleSessions, with no containers: start() records the call and answers
 * with a fake session id at once. With `endAfterMs`, each fake session ends that long after it
 * started (a `session.updated` with state `ended` on the bus, as SessionService emits), so the
 * service logs the run and saves again, as it would for a real one.
 */
export class StubSessions implements ScheduleSessions {
  readonly calls: StartCall[] = [];
  /** Called right after a start() is recorded (the service has not yet seen the id). */
  onStart: ((call: StartCall) => void) | null = null;
  private readonly live = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counter = 0;
  endAfterMs: number | null = null;
  /** How long start() takes to answer (a real one builds and starts a container). */
  startDelayMs = 0;
  /** Bounds the recorded calls, whatever happens. */
  static readonly MAX_CALLS = 200_000;

  constructor(private readonly bus: EventBus) {}

  private halted = false;

  async start(req: { prompt: string }): Promise<string> {
    const at = clock();
    const sessionId = `fake-${(this.counter++).toString(36)}`;
    const call = { at, prompt: req.prompt, sessionId };
    if (this.calls.length < StubSessions.MAX_CALLS) this.calls.push(call);
    this.onStart?.(call);
    // Halted: the call is counted, and never answered, so whoever made it waits there.
    if (this.halted) return new Promise<string>(() => undefined);
    if (this.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.startDelayMs));
    if (this.endAfterMs !== null) {
      this.live.add(sessionId);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.live.delete(sessionId);
        this.bus.emit('session.updated', {
          id: sessionId,
          state: 'ended',
          lastStatus: 'succeeded',
          error: null,
        } as unknown as Session);
      }, this.endAfterMs);
      this.timers.add(timer);
    }
    return sessionId;
  }

  active(sessionId: string): boolean {
    return this.live.has(sessionId);
  }

  async outputTail(): Promise<string> {
    return '';
  }

  /** From now on start() never answers (and no session ends): a run still going stops there. */
  halt(): void {
    this.halted = true;
    this.quiet();
  }

  /** No more session ends from now on (pending ones are dropped). */
  quiet(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.live.clear();
    this.endAfterMs = null;
  }
}

export interface SchedulerHarness {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  groups: GroupsService;
  warnings: WarningCenter;
  sessions: StubSessions;
  /** A new (not started) SchedulerService over this data folder. */
  service(): SchedulerService;
  stop(): Promise<void>;
}

/**
 * The scheduler's real neighbours, as the app builds them (test/helpers/ipc-harness.ts): a
 * temp data folder, EventBus, AuditLog, WarningCenter, MountSecurityService and GroupsService
 * (with its `main` group). Only the session side is a stub.
 */
export async function startHarness(prefix = 'aigo-bench-sched-'): Promise<SchedulerHarness> {
  const temp = await tempDir(prefix);
  const dataDir = join(temp.path, 'data');
  const home = join(temp.path, 'home');
  await mkdir(dataDir, { recursive: true });
  await mkdir(home, { recursive: true });
  const mounts = await startMountService({
    dataDir,
    home,
    auditDir: join(temp.path, 'mount-audit'),
  });
  const bus = new EventBus();
  const audit = new AuditLog({ dir: join(dataDir, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  const warnings = new WarningCenter(bus);
  const groups = new GroupsService({
    dataDir,
    bus,
    audit,
    logger: silentLogger(),
    warnings,
    mounts: mounts.service,
    activeSessions: () => 0,
  });
  await groups.start();
  const sessions = new StubSessions(bus);
  return {
    dataDir,
    bus,
    audit,
    groups,
    warnings,
    sessions,
    service: () =>
      new SchedulerService({
        dataDir,
        bus,
        audit,
        logger: silentLogger(),
        warnings,
        groups,
        sessions,
      }),
    async stop() {
      sessions.quiet();
      await groups.stop();
      await audit.stop();
      await mounts.stop();
      await temp.cleanup();
    },
  };
}

/**
 * Saved schedules, as the service would find them at start: DATA_DIR/schedules.json in the
 * shape it writes (lowdb: JSON, 2-space indent). Returns the file's size in bytes.
 */
export async function writeSchedulesFile(
  dataDir: string,
  schedules: Schedule[],
  anchors: Record<string, number>,
): Promise<number> {
  const text = JSON.stringify({ schedules, anchors }, null, 2);
  await writeFile(join(dataDir, SCHEDULES_FILE), text, { mode: 0o600 });
  return Buffer.byteLength(text);
}
