import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { scheduleRunLogSchema, type ScheduleRunLog } from '../../../shared/schemas/schedules';
import { writeFileAtomic } from '../fs/atomic-write';

/** Lines kept per schedule; past twice that, the file is cut back to this many. */
export const RUN_LOG_KEEP = 500;

/**
 * Each schedule's run log, `DATA_DIR/schedules/logs/{id}.jsonl`: one line per finished (or
 * skipped) run, append-only, bounded: when a file passes 2 × RUN_LOG_KEEP lines it is
 * rewritten atomically with the newest RUN_LOG_KEEP.
 */
export class ScheduleRunLogs {
  private readonly lines = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  flush(): Promise<void> {
    return this.chain;
  }

  append(entry: ScheduleRunLog): Promise<void> {
    const line = `${JSON.stringify(scheduleRunLogSchema.parse(entry))}\n`;
    const next = this.chain.then(async () => {
      const path = this.path(entry.scheduleId);
      await appendFile(path, line, { mode: 0o600 });
      const count =
        (this.lines.get(entry.scheduleId) ?? (await this.read(entry.scheduleId)).length - 1) + 1;
      this.lines.set(entry.scheduleId, count);
      if (count > 2 * RUN_LOG_KEEP) {
        const kept = (await this.read(entry.scheduleId)).slice(-RUN_LOG_KEEP);
        await writeFileAtomic(path, kept.map((e) => `${JSON.stringify(e)}\n`).join(''), 0o600);
        this.lines.set(entry.scheduleId, kept.length);
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Newest first. */
  async list(scheduleId: string, limit: number): Promise<ScheduleRunLog[]> {
    await this.flush();
    return (await this.read(scheduleId)).reverse().slice(0, limit);
  }

  async remove(scheduleId: string): Promise<void> {
    await this.flush();
    this.lines.delete(scheduleId);
    await rm(this.path(scheduleId), { force: true });
  }

  private path(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  private async read(id: string): Promise<ScheduleRunLog[]> {
    const text = await readFile(this.path(id), 'utf8').catch(() => '');
    const out: ScheduleRunLog[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const parsed = scheduleRunLogSchema.safeParse(JSON.parse(line));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // a torn last line after a crash
      }
    }
    return out;
  }
}
