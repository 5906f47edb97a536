import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);

/**
 * Each rotated audit file gets an index of what it holds; a query skips the files that cannot
 * match, so a filter that matches rarely (or never) does not read the whole log.
 */
describe('audit log index', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let log: AuditLog;
  const rotated = async () =>
    (await readdir(dir.path)).filter((n) => /^audit-.*\.jsonl$/.test(n)).sort();

  beforeEach(async () => {
    dir = await tempDir();
    log = new AuditLog({
      dir: dir.path,
      bus: new EventBus(),
      logger: silentLogger(),
      maxFileBytes: 4096,
    });
    await log.start();
    for (let i = 0; i < 300; i++) {
      log.record({ severity: 'info', category: 'runtime', message: `info ${i}` });
      if (i === 50 || i === 250)
        log.record({
          severity: 'violation',
          category: 'ipc',
          group: 'family',
          message: `violation ${i}`,
        });
    }
    await log.flush();
  });
  afterEach(async () => {
    await log.stop();
    await dir.cleanup();
  });

  it('writes an index beside each rotated file, and queries give what a full read gives', async () => {
    const files = await rotated();
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) expect(existsSync(join(dir.path, `${name}.idx.json`))).toBe(true);
    const violations = (await log.query(q({ severity: 'violation' }))).entries.map(
      (e) => e.message,
    );
    expect(violations).toEqual(['violation 250', 'violation 50']);
    expect((await log.query(q({ category: 'nothing-like-this' }))).entries).toEqual([]);
    expect((await log.query(q({ group: 'family', limit: 500 }))).entries).toHaveLength(2);
    const all = (await log.query(q({ limit: 1000 }))).entries;
    expect(all).toHaveLength(302);
  });

  it('does not read a file its index rules out', async () => {
    // A file with no violations, its content replaced behind the log's back: were it read, the
    // planted line would be found.
    const files = await rotated();
    const quiet = [];
    for (const name of files) {
      const index = JSON.parse(await readFile(join(dir.path, `${name}.idx.json`), 'utf8')) as {
        severities: Record<string, number>;
      };
      if (!index.severities.violation) quiet.push(name);
    }
    const planted = JSON.stringify({
      id: 'planted',
      time: new Date().toISOString(),
      severity: 'violation',
      category: 'ipc',
      message: 'planted',
      details: {},
    });
    await writeFile(join(dir.path, quiet[0]!), `${planted}\n`);
    const messages = (await log.query(q({ severity: 'violation' }))).entries.map((e) => e.message);
    expect(messages).not.toContain('planted');
  });

  it('rebuilds a lost index from its file, and retention deletes an index with its file', async () => {
    const [oldest] = await rotated();
    await rm(join(dir.path, `${oldest}.idx.json`));
    const fresh = new AuditLog({
      dir: dir.path,
      bus: new EventBus(),
      logger: silentLogger(),
      maxFileBytes: 4096,
    });
    await log.stop();
    await fresh.start();
    log = fresh;
    expect((await fresh.query(q({ severity: 'violation' }))).entries).toHaveLength(2);
    expect(existsSync(join(dir.path, `${oldest}.idx.json`))).toBe(true);

    const retained = new AuditLog({
      dir: dir.path,
      bus: new EventBus(),
      logger: silentLogger(),
      maxFileBytes: 4096,
      retention: () => ({ maxBytes: 10_000, maxAgeMs: 86_400_000 }),
    });
    await fresh.stop();
    await retained.start();
    log = retained;
    const left = await readdir(dir.path);
    const indexes = left.filter((n) => n.endsWith('.idx.json'));
    expect(indexes.map((n) => n.replace(/\.idx\.json$/, '')).sort()).toEqual(await rotated());
  });
});
