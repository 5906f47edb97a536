import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditEntry, AuditQuery, Severity } from '../../../shared/schemas/audit';
import { auditSettingsSchema } from '../../../shared/schemas/settings';
import type { EventBus } from '../events/event-bus';
import { redact, redactString } from '../logging/redact';
import { Coalescer, type CoalesceSample } from './coalescer';
import { capEntry, MAX_MESSAGE_CHARS, truncateText } from './entry-limits';
import {
  addToSummary,
  emptySummary,
  loadIndex,
  summarizeFile,
  writeIndex,
  type FileSummary,
  type StoredIndex,
} from './audit-index';
import { liveView, openWhole, runQuery, storedView, type QueryFile } from './audit-query';
import { pruneRotated, retentionFromSettings, ROTATED, type RetentionLimits } from './retention';

export const AUDIT_FILE = 'audit.jsonl';

export interface AuditInput {
  severity: Severity;
  category: string;
  message: string;
  group?: string;
  container?: string;
  details?: Record<string, unknown>;
  /**
   * Events that anyone can trigger (a refused request) name their cause and source here, e.g.
   * `proxy-refusal:no_token:127.0.0.1`. Repeats of one key within an interval become one entry
   * with a count, so a flood cannot grow the log without bound.
   */
  coalesceKey?: string;
}

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
  /** Rotated files' summaries, by file name, read once (their postings stay on disk). */
  private readonly indexes = new Map<string, StoredIndex>();

  constructor(private readonly deps: AuditLogDeps) {
    this.maxFileBytes = deps.maxFileBytes ?? 5 * 1024 * 1024;
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
      !this.coalescer.admit(input.coalesceKey, input, () => this.sample(input))
    )
      return null;
    return this.write(input);
  }

  /** Deletes rotated files past the retention limits now (after a settings change, say). */
  applyRetention(): Promise<void> {
    return this.enqueue(() => this.enforceRetention());
  }

  /** The first repeat of a window, kept to stand for the rest in the summary. */
  private sample(input: AuditInput): CoalesceSample {
    // Room for the summary's "(repeated N times …)" without cutting the message twice.
    const message = truncateText(redactString(input.message), MAX_MESSAGE_CHARS - 200);
    const { id: _id, time: _time, ...rest } = this.prepare({ ...input, message });
    return rest;
  }

  /** Redacted first, then bounded: cutting never splits a secret into a form redaction misses. */
  private prepare(input: Omit<AuditInput, 'coalesceKey'>): AuditEntry {
    return capEntry({
      id: randomUUID(),
      time: new Date().toISOString(),
      severity: input.severity,
      category: input.category,
      ...(input.group !== undefined ? { group: input.group } : {}),
      ...(input.container !== undefined ? { container: input.container } : {}),
      message: redactString(input.message),
      details: redact(input.details ?? {}) as Record<string, unknown>,
    });
  }

  private write(input: Omit<AuditInput, 'coalesceKey'>): AuditEntry {
    const entry = this.prepare(input);
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
      const files: QueryFile[] = [
        live
          ? { index: async () => liveView(live.summary), open: async () => live }
          : { index: async () => null, open: () => openWhole(this.livePath) },
        ...rotated.map((file) => ({
          index: async () => {
            const index = await this.summaryOf(file);
            return index ? storedView(file, index) : null;
          },
          open: () => openWhole(file),
        })),
      ];
      return await runQuery(files, query);
    } finally {
      await live?.handle.close();
    }
  }

  /**
   * Taken in the write chain, so no write or rotation is under way: the rotated files, and the
   * live file opened with its size and summary then. Read through that handle, the live file's
   * bytes up to that size stay what they were, even if it is renamed while the query reads.
   */
  private snapshot(): Promise<{
    rotated: string[];
    live: { handle: FileHandle; size: number; owned: false; summary: FileSummary } | null;
  }> {
    const taken = this.chain.then(async () => {
      const rotated = await this.filesNewestFirst();
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
      if (stored) this.indexes.set(rotated, stored);
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
    const files = pruned.files.length;
    this.deps.logger.info(
      { files: pruned.files.length, bytes: pruned.bytes },
      'Audit files pruned',
    );
    // Queued behind this step, so it is written after the deletion it reports. Coalesced: a log
    // that rotates often (a flood of events of many kinds) gets one note per window, not one per
    // rotation.
    this.record({
      severity: 'info',
      category: 'audit',
      message: `Audit log retention deleted ${files} old file${files === 1 ? '' : 's'} (${byteSize(pruned.bytes)}): ${pruned.byAge} older than ${Math.round(limits.maxAgeMs / 86_400_000)} days, ${pruned.bySize} over the ${byteSize(limits.maxBytes)} limit. Change the limits under Settings > Security > Audit log retention.`,
      coalesceKey: 'audit-retention',
      details: {
        files,
        bytes: pruned.bytes,
        byAge: pruned.byAge,
        bySize: pruned.bySize,
        maxBytes: limits.maxBytes,
        maxAgeDays: limits.maxAgeMs / 86_400_000,
        oldest: pruned.files[0],
        newest: pruned.files.at(-1),
      },
    });
  }

  private async summaryOf(file: string): Promise<StoredIndex | null> {
    const known = this.indexes.get(file);
    if (known) return known;
    const loaded = await loadIndex(file);
    if (loaded) this.indexes.set(file, loaded);
    return loaded;
  }

  /** The rotated files, newest first. */
  private async filesNewestFirst(): Promise<string[]> {
    const names = await readdir(this.deps.dir);
    const files = names
      .filter((n) => ROTATED.test(n))
      .sort()
      .reverse()
      .map((n) => join(this.deps.dir, n));
    // Forget the summaries of files retention deleted.
    const present = new Set(files);
    for (const known of this.indexes.keys()) if (!present.has(known)) this.indexes.delete(known);
    return files;
  }
}

/** Audit files are sized in binary units, as the retention setting is (MiB). */
function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
