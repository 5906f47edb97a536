import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);

describe('AuditLog', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let log: AuditLog;
  let bus: EventBus;

  beforeEach(async () => {
    dir = await tempDir();
    bus = new EventBus();
    log = new AuditLog({ dir: dir.path, bus, logger: silentLogger(), maxFileBytes: 2048 });
    await log.start();
  });
  afterEach(async () => {
    await log.stop();
    await dir.cleanup();
  });

  it('returns entries newest first and filters by severity, category and group', async () => {
    log.record({ severity: 'info', category: 'runtime', message: 'one' });
    log.record({ severity: 'violation', category: 'ipc', group: 'family', message: 'two' });
    log.record({ severity: 'warning', category: 'ipc', group: 'work', message: 'three' });
    expect((await log.query(q())).entries.map((e) => e.message)).toEqual(['three', 'two', 'one']);
    expect((await log.query(q({ severity: 'violation' }))).entries.map((e) => e.message)).toEqual([
      'two',
    ]);
    expect(
      (await log.query(q({ category: 'ipc', group: 'work' }))).entries.map((e) => e.message),
    ).toEqual(['three']);
  });

  it('honours limit and since', async () => {
    for (let i = 0; i < 5; i++) log.record({ severity: 'info', category: 'x', message: `m${i}` });
    const limited = await log.query(q({ limit: 2 }));
    expect(limited.entries.map((e) => e.message)).toEqual(['m4', 'm3']);
    expect(limited.truncated).toBe(true);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await log.query(q({ since: future }))).entries).toEqual([]);
  });

  it('pages back from an entry id, across rotated files', async () => {
    for (let i = 0; i < 60; i++)
      log.record({
        severity: 'info',
        category: 'page',
        message: `p${i}`,
        details: { pad: 'x'.repeat(50) },
      });
    const first = await log.query(q({ category: 'page', limit: 25 }));
    const second = await log.query(
      q({ category: 'page', limit: 25, before: first.entries.at(-1)!.id }),
    );
    const third = await log.query(
      q({ category: 'page', limit: 25, before: second.entries.at(-1)!.id }),
    );
    const all = [...first.entries, ...second.entries, ...third.entries].map((e) => e.message);
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `p${59 - i}`));
    expect(third.truncated).toBe(false);
  });

  it('rotates by size without losing a single entry', async () => {
    const total = 200;
    for (let i = 0; i < total; i++)
      log.record({ severity: 'info', category: 'bulk', message: `entry ${i}`, details: { i } });
    await log.flush();
    const files = await readdir(dir.path);
    expect(files.filter((f) => f.startsWith('audit-')).length).toBeGreaterThan(3);
    const all = await log.query(q({ limit: 10_000 }));
    expect(all.entries.map((e) => e.details.i)).toEqual(
      Array.from({ length: total }, (_, i) => total - 1 - i),
    );
  });

  it('keeps the first entry after a restart that follows a torn line', async () => {
    log.record({ severity: 'info', category: 'x', message: 'before the crash' });
    await log.stop();
    await appendFile(join(dir.path, 'audit.jsonl'), '{"id":"torn","ti');
    log = new AuditLog({ dir: dir.path, bus, logger: silentLogger(), maxFileBytes: 2048 });
    await log.start();
    log.record({ severity: 'info', category: 'x', message: 'after the restart' });
    expect((await log.query(q())).entries.map((e) => e.message)).toEqual([
      'after the restart',
      'before the crash',
    ]);
  });

  it('skips a torn line left by a crash and keeps the rest', async () => {
    log.record({ severity: 'info', category: 'x', message: 'before' });
    await log.flush();
    await appendFile(join(dir.path, 'audit.jsonl'), '{"id":"torn","ti');
    await appendFile(join(dir.path, 'audit.jsonl'), '\n');
    log.record({ severity: 'info', category: 'x', message: 'after' });
    expect((await log.query(q())).entries.map((e) => e.message)).toEqual(['after', 'before']);
  });

  it('redacts secrets in messages and details and pushes an event', async () => {
    const seen: string[] = [];
    bus.on('audit.appended', (e) => seen.push(e.id));
    const entry = log.record({
      severity: 'violation',
      category: 'proxy',
      message: 'refused sk-ant-api03-secretsecretsecret',
      details: { apiKey: 'sk-real', header: 'Bearer abcdefghijkl' },
    });
    const [stored] = (await log.query(q())).entries;
    expect(JSON.stringify(stored)).not.toContain('secretsecret');
    expect(JSON.stringify(stored)).not.toContain('sk-real');
    expect(JSON.stringify(stored)).not.toContain('abcdefghijkl');
    expect(seen).toEqual([entry?.id]);
  });
});
