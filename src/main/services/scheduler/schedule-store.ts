import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import { scheduleSchema, type Schedule } from '../../../shared/schemas/schedules';
import type { WarningCenter } from '../app/warnings';
import { writeFileAtomic } from '../fs/atomic-write';
import { JsonStore } from '../store/json-store';

export const SCHEDULES_FILE = 'schedules.json';
/** Changes within this window are written together. */
const WRITE_DELAY_MS = 200;
/** Schedules serialised between two yields to the event loop. */
const SERIALISE_BATCH = 250;

const fileSchema = z.object({
  schedules: z.array(scheduleSchema).default([]),
  /** Where each interval's grid starts (its creation, or the last change of its value). */
  anchors: z.record(z.string(), z.number()).default({}),
  /** The session each schedule ran last (`group` context continues it). */
  lastSessions: z.record(z.string(), z.string()).default({}),
});

/**
 * The schedules, held in memory and written as one file: validated when loaded (an unreadable
 * file is set aside with a warning), then written atomically after changes — coalesced, so a
 * burst of changes to 10,000 schedules costs one write, not one per change.
 */
export class ScheduleStore {
  private readonly file: JsonStore<typeof fileSchema>;
  private readonly byId = new Map<string, Schedule>();
  readonly anchors = new Map<string, number>();
  readonly lastSessions = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataDir: string,
    deps: { logger: Logger; warnings: WarningCenter },
  ) {
    this.file = new JsonStore({
      path: join(dataDir, SCHEDULES_FILE),
      schema: fileSchema,
      defaults: () => ({ schedules: [], anchors: {}, lastSessions: {} }),
      label: 'The schedules file',
      warningCode: 'SCHEDULES_CORRUPT',
      logger: deps.logger,
      warnings: deps.warnings,
    });
  }

  async load(): Promise<void> {
    await this.file.load();
    const data = this.file.get();
    for (const s of data.schedules) this.byId.set(s.id, s);
    for (const [id, at] of Object.entries(data.anchors)) this.anchors.set(id, at);
    for (const [id, session] of Object.entries(data.lastSessions))
      this.lastSessions.set(id, session);
  }

  all(): Schedule[] {
    return [...this.byId.values()];
  }

  get(id: string): Schedule | undefined {
    return this.byId.get(id);
  }

  set(schedule: Schedule): void {
    this.byId.set(schedule.id, schedule);
  }

  remove(id: string): void {
    this.byId.delete(id);
    this.anchors.delete(id);
    this.lastSessions.delete(id);
  }

  /**
   * Writes within `WRITE_DELAY_MS`: every change made until then goes into that one write, so a
   * burst of fires costs one serialisation of the file, not one each. For the scheduler's own
   * bookkeeping (next and last run); what the user changes is written at once (`saveNow`).
   */
  saveSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write().catch(() => undefined);
    }, WRITE_DELAY_MS);
    this.timer.unref?.();
  }

  /** Writes now (any change waiting for `saveSoon` goes with it). */
  saveNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.write();
  }

  /** At stop: writes what is waiting, and waits for any write under way. */
  async flush(): Promise<void> {
    if (this.timer) await this.saveNow().catch(() => undefined);
    await this.writing;
  }

  private write(): Promise<void> {
    const next = this.writing.then(async () => {
      // A snapshot (schedules are replaced, never changed in place), serialised a few hundred
      // at a time with a yield between, so 10,000 never block the API or a due fire for long.
      const list = this.all();
      const anchors = JSON.stringify(Object.fromEntries(this.anchors));
      const lastSessions = JSON.stringify(Object.fromEntries(this.lastSessions));
      const parts: string[] = [];
      for (let i = 0; i < list.length; i += SERIALISE_BATCH) {
        parts.push(
          list
            .slice(i, i + SERIALISE_BATCH)
            .map((s) => JSON.stringify(s))
            .join(','),
        );
        await yieldToEventLoop();
      }
      const doc = `{"schedules":[${parts.join(',')}],"anchors":${anchors},"lastSessions":${lastSessions}}`;
      await writeFileAtomic(join(this.dataDir, SCHEDULES_FILE), doc, 0o600);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
