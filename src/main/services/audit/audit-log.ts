import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditEntry, AuditQuery } from '../../../shared/schemas/audit';
import { auditSettingsSchema } from '../../../shared/schemas/settings';
import type { EventBus } from '../events/event-bus';
import { coalesceSample, prepareEntry, type AuditInput } from './audit-entry';
import { Coalescer } from './coalescer';
import {
  addToSummary,
  emptySummary,
  summarizeFile,
  writeIndex,
  type FileSummary,
} from './audit-index';
import { runQuery } from './audit-query';
import { pruneRotated, retentionFromSettings, type RetentionLimits } from './retention';
import { retentionNote } from './retention-note';
import { RotatedFiles, type LiveSnapshot } from './rotated-files';

export type { AuditInput } from './audit-entry';

export const AUDIT_FILE = 'audit.jsonl';

export interface AuditLogDeps {
  dir: string;
  bus: EventBus;
  logger: Logger;
  /** Rotate the live file when it passes this size. */
  maxFileBytes?: number;
  /**
   * Retention (the `audit` settings), read at start and after every rotation: rotated files
   * past the age or the total size are deleted, oldest first. Default 200 MB and 90 days.
   */
  retention?: () => RetentionLimits;
  /** How long repeats of one `coalesceKey` are counted before their summary (default 60 s). */
  coalesceWindowMs?: number;
  /** Distinct coalesce keys tracked at once (default 256); past it, one key per category. */
  coalesceMaxKeys?: number;
}

/**
 * Append-only JSON lines in `DATA_DIR/audit/`; queries read across all files, newest first.
 * Bounded for every caller, so nobody who can merely trigger events can fill the disk:
 *  - an entry is at most `MAX_ENTRY_BYTES` (8 KB), cut after redaction (entry-limits.ts);
 *  - repeats of a `coalesceKey` are counted into one summary per window (coalescer.ts);
 *  - rotation renames the live file to a timestamped one, and retention deletes the oldest
 *    rotated files past the size or age limits (retention.ts), never the live file.
 */
export class AuditLog {
  private handle: FileHandle | null = null;
  private size = 0;
  private rotations = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxFileBytes: number;
  private readonly coalescer: Coalescer;
  /** What the live file holds, kept as entries are written (see audit-index.ts). */
  private live: FileSummary = emptySummary();
  private readonly rotatedFiles: RotatedFiles;

  constructor(private readonly deps: AuditLogDeps) {
    this.maxFileBytes = deps.maxFileBytes ?? 5 * 1024 * 1024;
    this.rotatedFiles = new RotatedFiles(deps.dir);
    this.coalescer = new Coalescer({
      windowMs: deps.coalesceWindowMs ?? 60_000,
      maxKeys: deps.coalesceMaxKeys ?? 256,
      now: Date.now,
      write: (summary) => this.write(summary),
    });
  }

  private get livePath(): string {
    return join(this.deps.dir, AUDIT_FILE);
  }

  async start(): Promise<void> {
    this.coalescer.resume();
    await mkdir(this.deps.dir, { recursive: true, mode: 0o700 });
    this.handle = await open(this.livePath, 'a', 0o600);
    this.size = (await stat(this.livePath)).size;
    // A crash can leave half a line: end it, so the next entry starts on a line of its own.
    if (this.size > 0) {
      const last = Buffer.alloc(1);
      const reader = await open(this.livePath, 'r');
      try {
        await reader.read(last, 0, 1, this.size - 1);
      } finally {
        await reader.close();
      }
      if (last[0] !== 0x0a) {
        await this.handle.write('\n');
        this.size += 1;
      }
      // Once at start: the live file (at most a few MiB) read in chunks and summarized, with
      // each line's place; then kept as entries come.
      this.live = await summarizeFile(this.livePath);
    }
    await this.applyRetention();
  }

  /** Writes the pending coalesced summaries, releases their timers and closes the file. */
  async stop(): Promise<void> {
    this.coalescer.drain();
    await this.flush();
    await this.handle?.close();
    this.handle = null;
  }

  /**
   * Records an event; the write is queued in order and `flush()` waits for it. Returns the
   * entry, or null when the event was a repeat of its `coalesceKey` and only counted (it is
   * part of the summary written when the key's window ends).
   */
  record(input: AuditInput): AuditEntry | null {
    if (
      input.coalesceKey !== undefined &&
      !this.coalescer.admit(input.coalesceKey, input, () => coalesceSample(input))
    )
      return null;
    return this.write(input);
  }

  /** Deletes rotated files past the retention limits now (after a settings change, say). */
  applyRetention(): Promise<void> {
    return this.enqueue(() => this.enforceRetention());
  }

  private write(input: Omit<AuditInput, 'coalesceKey'>): AuditEntry {
    const entry = prepareEntry(input);
    const line = `${JSON.stringify(entry)}\n`;
    this.chain = this.chain
      .then(() => this.append(line, entry))
      .catch((error: unknown) => {
        // An audit entry that cannot be written is itself worth a loud log line.
        this.deps.logger.error({ err: error, entryId: entry.id }, 'Could not write an audit entry');
      });
    this.deps.bus.emit('audit.appended', entry);
    return entry;
  }

  /** Waits for every queued write, including those queued while waiting (a retention note). */
  async flush(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'Audit log maintenance failed');
    });
    return this.chain;
  }

  /**
   * Entries newest first, as the log stood once the writes recorded before the call were done
   * (queued behind them, not behind later ones: a steady stream of writes cannot hold a query
   * up). Reads only what it needs: see audit-query.ts.
   */
  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; truncated: boolean }> {
    const { rotated, live } = await this.snapshot();
    try {
      return await runQuery(this.rotatedFiles.queryFiles(this.livePath, live, rotated), query);
    } finally {
      await live?.handle.close();
    }
  }

  /**
   * Taken in the write chain, so no write or rotation is under way: the rotated files, and the
   * live file opened with its size and summary then (see `LiveSnapshot`).
   */
  private snapshot(): Promise<{ rotated: string[]; live: LiveSnapshot | null }> {
    const taken = this.chain.then(async () => {
      const rotated = await this.rotatedFiles.newestFirst();
      if (!this.handle) return { rotated, live: null };
      const actual = (await this.handle.stat()).size;
      if (actual !== this.size) {
        // Written behind the log's back: its line offsets can no longer be trusted.
        this.live.postings = null;
        this.size = actual;
      }
      const handle = await open(this.livePath, 'r').catch(() => null); // gone: as today, skipped
      if (!handle) return { rotated, live: null };
      return {
        rotated,
        live: { handle, size: this.size, owned: false as const, summary: this.live },
      };
    });
    this.chain = taken.then(
      () => undefined,
      () => undefined,
    );
    return taken;
  }

  private async append(line: string, entry: AuditEntry): Promise<void> {
    if (!this.handle) throw new Error('The audit log is not started');
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxFileBytes) await this.rotate();
    const offset = this.size; // appended: the line starts where the file ended
    try {
      await this.handle.write(line);
    } catch (error) {
      await this.resync(offset);
      throw error;
    }
    this.size += bytes;
    addToSummary(this.live, entry, { offset, length: bytes - 1 });
  }

  /** After a failed write: where the file ends, and no half line for the next to run into. */
  private async resync(expected: number): Promise<void> {
    try {
      this.size = (await this.handle!.stat()).size;
      if (this.size !== expected) {
        await this.handle!.write('\n');
        this.size += 1;
      }
    } catch {
      this.live.postings = null; // where the next lines start is not known
    }
  }

  private async rotate(): Promise<void> {
    // Written behind the log's back? Then the index is rebuilt from the file when first needed.
    if (this.handle && (await this.handle.stat()).size !== this.size) this.live.postings = null;
    await this.handle?.close();
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    this.rotations += 1;
    const rotated = join(
      this.deps.dir,
      `audit-${stamp}-${String(this.rotations).padStart(6, '0')}.jsonl`,
    );
    await rename(this.livePath, rotated);
    // The live file's summary becomes the rotated file's index (rebuilt from the file if lost).
    if (this.live.postings) {
      const stored = await writeIndex(rotated, this.live).catch(() => null);
      if (stored) this.rotatedFiles.remember(rotated, stored);
    }
    this.live = emptySummary();
    this.handle = await open(this.livePath, 'a', 0o600);
    this.size = 0;
    await this.enforceRetention();
  }

  /** Runs inside the write chain, so it never races a rotation. */
  private async enforceRetention(): Promise<void> {
    const limits = this.deps.retention?.() ?? retentionFromSettings(auditSettingsSchema.parse({}));
    const pruned = await pruneRotated(this.deps.dir, this.size, limits, Date.now());
    if (pruned.files.length === 0) return;
    this.deps.logger.info(
      { files: pruned.files.length, bytes: pruned.bytes },
      'Audit files pruned',
    );
    // Queued behind this step, so it is written after the deletion it reports.
    this.record(retentionNote(pruned, limits));
  }
}
