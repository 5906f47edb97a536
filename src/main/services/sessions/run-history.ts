import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { runQuerySchema, runRecordSchema, type RunRecord } from '../../../shared/schemas/sessions';
import type { EventBus } from '../events/event-bus';

export const RUNS_FILE = join('runs', 'runs.jsonl');

/**
 * Every container run, append-only, one JSON line each in `DATA_DIR/runs/runs.jsonl`: the
 * guide's "check run history". Appends are queued in order; queries read newest first.
 */
export class RunHistory {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly bus: EventBus,
    /** Removes real API keys from what is stored and shown (an upstream may echo one). */
    private readonly scrub: (text: string) => string = (t) => t,
  ) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
  }

  flush(): Promise<void> {
    return this.chain;
  }

  append(input: RunRecord): Promise<void> {
    const record = runRecordSchema.parse(JSON.parse(this.scrub(JSON.stringify(input))));
    const line = `${JSON.stringify(record)}\n`;
    const next = this.chain.then(() => appendFile(this.path, line, { mode: 0o600 }));
    this.chain = next.catch(() => undefined);
    this.bus.emit('runs.appended', record);
    return next;
  }

  async query(
    input: z.input<typeof runQuerySchema>,
  ): Promise<{ runs: RunRecord[]; truncated: boolean }> {
    const query = runQuerySchema.parse(input);
    await this.flush();
    const all = await this.readAll();
    let start = all.length - 1;
    if (query.before) {
      const at = all.findIndex((r) => r.id === query.before);
      if (at < 0)
        throw new AppError('NOT_FOUND', `No run "${query.before}" to page back from.`, {
          before: query.before,
        });
      start = at - 1;
    }
    const runs: RunRecord[] = [];
    for (let i = start; i >= 0; i--) {
      const run = all[i] as RunRecord;
      if (query.group && run.group !== query.group) continue;
      if (query.session && run.session !== query.session) continue;
      if (query.status && run.status !== query.status) continue;
      if (runs.length === query.limit) return { runs, truncated: true };
      runs.push(run);
    }
    return { runs, truncated: false };
  }

  async get(id: string): Promise<RunRecord> {
    await this.flush();
    const run = (await this.readAll()).find((r) => r.id === id);
    if (!run)
      throw new AppError('NOT_FOUND', `No run "${id}". GET /api/v1/container/runs lists them.`, {
        id,
      });
    return run;
  }

  private async readAll(): Promise<RunRecord[]> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const runs: RunRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const parsed = runRecordSchema.safeParse(JSON.parse(line));
        if (parsed.success) runs.push(parsed.data);
      } catch {
        // a torn last line after a crash
      }
    }
    return runs;
  }
}
