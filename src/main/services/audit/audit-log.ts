import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditEntry, AuditQuery, Severity } from '../../../shared/schemas/audit';
import type { EventBus } from '../events/event-bus';
import { redact, redactString } from '../logging/redact';

export const AUDIT_FILE = 'audit.jsonl';
const ROTATED = /^audit-(\d{8}T\d{6}\d{3}Z)-(\d+)\.jsonl$/;

export interface AuditInput {
  severity: Severity;
  category: string;
  message: string;
  group?: string;
  container?: string;
  details?: Record<string, unknown>;
}

export interface AuditLogDeps {
  dir: string;
  bus: EventBus;
  logger: Logger;
  /** Rotate the live file when it passes this size. Rotated files are kept, never deleted. */
  maxFileBytes?: number;
}

/**
 * Append-only JSON lines in `DATA_DIR/audit/`. Rotation renames the live file to a
 * timestamped one, so no entry is ever dropped; queries read across all files, newest first.
 */
export class AuditLog {
  private handle: FileHandle | null = null;
  private size = 0;
  private rotations = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxFileBytes: number;

  constructor(private readonly deps: AuditLogDeps) {
    this.maxFileBytes = deps.maxFileBytes ?? 5 * 1024 * 1024;
  }

  private get livePath(): string {
    return join(this.deps.dir, AUDIT_FILE);
  }

  async start(): Promise<void> {
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
    }
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = null;
  }

  /** Records an event now; the write is queued in order and `flush()` waits for it. */
  record(input: AuditInput): AuditEntry {
    const entry: AuditEntry = {
      id: randomUUID(),
      time: new Date().toISOString(),
      severity: input.severity,
      category: input.category,
      ...(input.group !== undefined ? { group: input.group } : {}),
      ...(input.container !== undefined ? { container: input.container } : {}),
      message: redactString(input.message),
      details: redact(input.details ?? {}) as Record<string, unknown>,
    };
    const line = `${JSON.stringify(entry)}\n`;
    this.chain = this.chain
      .then(() => this.append(line))
      .catch((error: unknown) => {
        // An audit entry that cannot be written is itself worth a loud log line.
        this.deps.logger.error({ err: error, entryId: entry.id }, 'Could not write an audit entry');
      });
    this.deps.bus.emit('audit.appended', entry);
    return entry;
  }

  flush(): Promise<void> {
    return this.chain;
  }

  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; truncated: boolean }> {
    await this.flush();
    const since = query.since ? Date.parse(query.since) : null;
    let waitingFor: string | null = query.before ?? null;
    const entries: AuditEntry[] = [];
    for (const file of await this.filesNewestFirst()) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i];
        if (!line) continue;
        let entry: AuditEntry;
        try {
          entry = JSON.parse(line) as AuditEntry;
        } catch {
          continue; // a torn last line after a crash; the rest of the file still counts
        }
        if (since !== null && Date.parse(entry.time) < since) return { entries, truncated: false };
        if (waitingFor !== null) {
          if (entry.id === waitingFor) waitingFor = null; // everything after this line is older
          continue;
        }
        if (!matches(entry, query)) continue;
        if (entries.length === query.limit) return { entries, truncated: true };
        entries.push(entry);
      }
    }
    return { entries, truncated: false };
  }

  private async append(line: string): Promise<void> {
    if (!this.handle) throw new Error('The audit log is not started');
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxFileBytes) await this.rotate();
    await this.handle.write(line);
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    this.rotations += 1;
    await rename(
      this.livePath,
      join(this.deps.dir, `audit-${stamp}-${String(this.rotations).padStart(6, '0')}.jsonl`),
    );
    this.handle = await open(this.livePath, 'a', 0o600);
    this.size = 0;
  }

  private async filesNewestFirst(): Promise<string[]> {
    const names = await readdir(this.deps.dir);
    const rotated = names
      .filter((n) => ROTATED.test(n))
      .sort()
      .reverse();
    return [AUDIT_FILE, ...rotated].map((n) => join(this.deps.dir, n));
  }
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.severity && entry.severity !== query.severity) return false;
  if (query.category && entry.category !== query.category) return false;
  if (query.group && entry.group !== query.group) return false;
  return true;
}
