import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditLogDeps } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { startTestApp } from '../helpers/app';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);
const DAY = 24 * 60 * 60 * 1000;
const rotatedNames = async (dir: string) =>
  (await readdir(dir)).filter((n) => n.startsWith('audit-') && n.endsWith('.jsonl')).sort();
async function dirBytes(path: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(path)) total += (await stat(join(path, name))).size;
  return total;
}

describe('AuditLog retention', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let log: AuditLog | null = null;
  const make = (deps: Partial<AuditLogDeps> = {}) =>
    new AuditLog({ dir: dir.path, bus: new EventBus(), logger: silentLogger(), ...deps });

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await log?.stop();
    log = null;
    await dir.cleanup();
  });

  it('deletes the oldest rotated files once all files pass the size limit, never the live one', async () => {
    log = make({
      maxFileBytes: 2048,
      retention: () => ({ maxBytes: 10_000, maxAgeMs: 365 * DAY }),
    });
    await log.start();
    for (let i = 0; i < 400; i++)
      log.record({ severity: 'info', category: 'bulk', message: `entry ${i}`, details: { i } });
    await log.flush();
    // Pruning runs after each rotation: at most one file's worth over the limit, ever.
    expect(await dirBytes(dir.path)).toBeLessThanOrEqual(10_000 + 2048);
    expect((await readdir(dir.path)).includes('audit.jsonl')).toBe(true);
    const { entries } = await log.query(q({ limit: 10_000 }));
    const kept = entries.filter((e) => e.category === 'bulk').map((e) => Number(e.details.i));
    // What is left is the newest history, without gaps: the oldest files went first.
    expect(kept[0]).toBe(399);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, n) => 399 - n));
    expect(kept.length).toBeLessThan(400);
    // One note at the first pruning; the many that follow (a rotation every few entries) are
    // counted into one summary, so the notes cannot crowd out the history themselves.
    const notes = entries.filter((e) => e.category === 'audit');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(
        /^Audit log retention deleted 1 old file \(\d+ KiB\): 0 older than 365 days, 1 over the 10 KiB limit\. Change the limits under Settings > Security/,
      ),
      details: { files: 1, bySize: 1, byAge: 0, maxBytes: 10_000, bytes: expect.any(Number) },
    });
    await log.stop();
    const reader = make(); // not started: reads the files as they are
    const summary = (await reader.query(q({ category: 'audit' }))).entries.find(
      (e) => e.details.count !== undefined,
    );
    expect(summary?.message).toMatch(/\(repeated \d+ times in the last 60 s\)$/);
    expect(Number(summary?.details.count)).toBeGreaterThan(10);
  });

  it('deletes rotated files past the age limit at start, keeping the live file however old', async () => {
    log = make({ maxFileBytes: 1024 });
    await log.start();
    for (let i = 0; i < 60; i++)
      log.record({ severity: 'info', category: 'old', message: `old ${i}`, details: { i } });
    await log.stop();
    const rotated = await rotatedNames(dir.path);
    expect(rotated.length).toBeGreaterThan(2);
    const longAgo = new Date(Date.now() - 100 * DAY);
    const [newest] = rotated.slice(-1);
    for (const name of [...rotated.slice(0, -1), 'audit.jsonl'])
      await utimes(join(dir.path, name), longAgo, longAgo);

    // A large maxFileBytes: the retention note must not rotate the (old) live file away.
    log = make({ maxFileBytes: 1e6, retention: () => ({ maxBytes: 1e9, maxAgeMs: 90 * DAY }) });
    await log.start();
    await log.flush();
    expect(await rotatedNames(dir.path)).toEqual([newest]);
    expect((await readdir(dir.path)).includes('audit.jsonl')).toBe(true);
    const [note] = (await log.query(q({ category: 'audit' }))).entries;
    expect(note?.details).toMatchObject({ files: rotated.length - 1, byAge: rotated.length - 1 });
    expect(note?.message).toContain('older than 90 days');
  });

  it('applies the setting from Settings at once, through the API', async () => {
    const app = await startTestApp();
    try {
      const auditDir = join(app.dataDir, 'audit');
      const names = ['20200101T000000000Z', '20200102T000000000Z', '20200103T000000000Z'].map(
        (stamp, i) => `audit-${stamp}-00000${i + 1}.jsonl`,
      );
      for (const name of names) await writeFile(join(auditDir, name), '\n'.repeat(6 * 1024 * 1024));
      const res = await fetch(`${app.url}/api/v1/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${app.core.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audit: { retentionMaxMb: 10 } }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).audit).toEqual({ retentionMaxMb: 10, retentionDays: 90 });
      await app.core.services.audit.flush();
      // 18 MB rotated + the live file over a 10 MB limit: the two oldest go.
      expect(await rotatedNames(auditDir)).toEqual([names[2]]);
      const log = await fetch(`${app.url}/api/v1/container/audit-log?category=audit`);
      const [note] = (await log.json()).entries;
      expect(note.details).toMatchObject({ files: 2, bytes: 12 * 1024 * 1024, bySize: 2 });

      const bad = await fetch(`${app.url}/api/v1/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${app.core.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audit: { retentionMaxMb: 1 } }),
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).details.issues[0].path).toBe('audit.retentionMaxMb');
    } finally {
      await app.stop();
    }
  });
});
