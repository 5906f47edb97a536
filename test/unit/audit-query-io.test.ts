import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { auditQuerySchema, type AuditEntry, type AuditQuery } from '../../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);
const NO_RETENTION = () => ({ maxBytes: 1e12, maxAgeMs: 1e12 });

/** Bytes this process has read through read(2) and its kin, whatever the API (Linux). */
const PROC_IO = '/proc/self/io';
const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync(PROC_IO, 'utf8'))?.[1]);

async function dirBytes(path: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(path)) total += (await stat(join(path, name))).size;
  return total;
}

describe('audit queries read what they need, not the whole log', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let log: AuditLog;

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await log?.stop();
    await dir.cleanup();
  });

  it.runIf(existsSync(PROC_IO))(
    'reads a small fraction of a 24 MB log for rare entries, the newest ones and a page',
    async () => {
      log = new AuditLog({
        dir: dir.path,
        bus: new EventBus(),
        logger: silentLogger(),
        maxFileBytes: 2 * 1024 * 1024,
        retention: NO_RETENTION,
      });
      await log.start();
      // Each entry about 6 KB (detail strings are cut at 500 characters: 12 of them).
      const pad = Object.fromEntries(
        Array.from({ length: 12 }, (_, k) => [`pad${k}`, 'p'.repeat(480)]),
      );
      let middle = '';
      for (let i = 0; i < 4_000; i++) {
        const entry = log.record({
          severity: i % 200 === 0 ? 'violation' : 'info',
          category: i % 200 === 0 ? 'proxy' : 'session',
          message: `entry ${i}`,
          details: pad,
        });
        if (i === 2_000) middle = entry!.id;
        if (i % 500 === 499) await log.flush();
      }
      await log.stop();
      const total = await dirBytes(dir.path);
      expect(total).toBeGreaterThan(20 * 1024 * 1024);

      // Freshly started (nothing cached), as after a restart of the app.
      log = new AuditLog({
        dir: dir.path,
        bus: new EventBus(),
        logger: silentLogger(),
        maxFileBytes: 2 * 1024 * 1024,
        retention: NO_RETENTION,
      });
      await log.start();
      const measure = async (query: AuditQuery) => {
        const before = bytesRead();
        const result = await log.query(query);
        const read = bytesRead() - before;
        if (process.env.DEBUG_IO) console.log(JSON.stringify(query), read, total);
        return { read, entries: result.entries as AuditEntry[] };
      };
      const rare = await measure(q({ severity: 'violation', limit: 10 }));
      expect(rare.entries.map((e) => e.message)).toEqual(
        Array.from({ length: 10 }, (_, n) => `entry ${3_800 - 200 * n}`),
      );
      expect(rare.read).toBeLessThan(total / 50);
      const newest = await measure(q({ limit: 10 }));
      expect(newest.entries[0]?.message).toBe('entry 3999');
      expect(newest.read).toBeLessThan(total / 50);
      // Paging must find its entry by id first: what it reads is bounded by how far back it is.
      const page = await measure(q({ severity: 'violation', before: middle, limit: 2 }));
      expect(page.entries.map((e) => e.message)).toEqual(['entry 1800', 'entry 1600']);
      expect(page.read).toBeLessThan(total * 0.6);
    },
    60_000,
  );

  it('answers as the log stood when asked, while writes rotate the live file under it', async () => {
    log = new AuditLog({
      dir: dir.path,
      bus: new EventBus(),
      logger: silentLogger(),
      maxFileBytes: 1500,
      retention: NO_RETENTION,
    });
    await log.start();
    const recorded: AuditEntry[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 1_500; i++) {
        const entry = log.record({
          severity: i % 7 === 0 ? 'violation' : 'info',
          category: i % 3 === 0 ? 'proxy' : 'runtime',
          message: `w${i} ${'ü'.repeat(i % 5)}`,
          details: { i },
        });
        if (entry) recorded.push(entry);
        // Bursts paced by the disk: a query asked meanwhile reads while the next burst rotates.
        if (i % 4 === 3) await log.flush();
      }
    })();
    const queries = [
      q({ severity: 'violation', limit: 5 }),
      q({ category: 'proxy', limit: 20 }),
      q({ limit: 15 }),
      q({ severity: 'violation', category: 'proxy', limit: 3 }),
    ];
    const matches = (e: AuditEntry, query: AuditQuery) =>
      (!query.severity || e.severity === query.severity) &&
      (!query.category || e.category === query.category);
    let checked = 0;
    let raced = 0; // queries during which entries were written (and files rotated)
    for (let round = 0; round < 60; round++) {
      const query = queries[round % queries.length]!;
      const asked = recorded.length;
      const result = await log.query(query);
      const answered = recorded.length;
      if (answered > asked) raced++;
      // Some state of the log between the call and the answer: the newest matching entries of
      // the first k recorded, for one k in [asked, answered].
      const fits = (k: number) => {
        const expected = recorded
          .slice(0, k)
          .filter((e) => matches(e, query))
          .reverse();
        return (
          JSON.stringify(result.entries.map((e) => e.id)) ===
            JSON.stringify(expected.slice(0, query.limit).map((e) => e.id)) &&
          result.truncated === expected.length > query.limit
        );
      };
      let ok = false;
      for (let k = asked; k <= answered && !ok; k++) ok = fits(k);
      expect(ok, `round ${round}: ${JSON.stringify(query)}`).toBe(true);
      checked++;
    }
    writing = false;
    await writer;
    expect(checked).toBe(60);
    expect(raced).toBeGreaterThan(0);
    expect((await readdir(dir.path)).filter((n) => n.startsWith('audit-')).length).toBeGreaterThan(
      10,
    );
  });
});
