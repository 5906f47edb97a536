import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditInput } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import {
  auditQuerySchema,
  type AuditEntry,
  type AuditQuery,
  type Severity,
} from '../../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);
const NO_RETENTION = () => ({ maxBytes: 1e12, maxAgeMs: 1e12 });

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

/**
 * The query as it was before the log had postings: every file read whole, newest first, every
 * line parsed. What any faster path must answer, entry for entry.
 */
async function referenceQuery(dir: string, query: AuditQuery) {
  const rotated = (await readdir(dir)).filter((n) => /^audit-.*\.jsonl$/.test(n)).sort();
  const since = query.since ? Date.parse(query.since) : null;
  let waitingFor = query.before ?? null;
  const entries: AuditEntry[] = [];
  for (const name of ['audit.jsonl', ...rotated.reverse()]) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!lines[i]) continue;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(lines[i]!) as AuditEntry;
      } catch {
        continue;
      }
      if (since !== null && Date.parse(entry.time) < since) return { entries, truncated: false };
      if (waitingFor !== null) {
        if (entry.id === waitingFor) waitingFor = null;
        continue;
      }
      if (query.severity && entry.severity !== query.severity) continue;
      if (query.category && entry.category !== query.category) continue;
      if (query.group && entry.group !== query.group) continue;
      if (entries.length === query.limit) return { entries, truncated: true };
      entries.push(entry);
    }
  }
  return { entries, truncated: false };
}

const SEVERITIES: Severity[] = ['info', 'warning', 'violation', 'critical'];
const CATEGORIES = ['runtime', 'proxy', 'mounts', 'ipc', 'ünïcødé', '"quoted"', 'back\\slash'];
const GROUPS = [undefined, undefined, 'family', 'work', 'grüße 😀'];
const WORDS = ['ok', 'naïve', '日本語のテキスト', '😀🎉', '"severity":"violation"', 'línea', 'x'];

function input(rnd: ReturnType<typeof random>, i: number): AuditInput {
  const severity = rnd.next() < 0.6 ? 'info' : rnd.pick(SEVERITIES);
  const group = rnd.pick(GROUPS);
  return {
    severity,
    category: rnd.pick(CATEGORIES),
    ...(group ? { group } : {}),
    message: `${i} ${Array.from({ length: 1 + rnd.int(12) }, () => rnd.pick(WORDS)).join(' ')}`,
    // A details key that looks like a filter: a substring test alone would be fooled by it.
    details: rnd.next() < 0.2 ? { severity: 'violation', category: 'proxy', i } : { i },
  };
}

function randomQuery(rnd: ReturnType<typeof random>, recorded: AuditEntry[]): AuditQuery {
  const raw: Record<string, unknown> = { limit: rnd.pick([1, 2, 3, 5, 10, 40, 1000]) };
  if (rnd.next() < 0.5) raw.severity = rnd.pick(SEVERITIES);
  if (rnd.next() < 0.4) raw.category = rnd.pick([...CATEGORIES, 'none-such']);
  if (rnd.next() < 0.3) raw.group = rnd.pick(['family', 'work', 'grüße 😀', 'none-such']);
  if (recorded.length && rnd.next() < 0.3)
    raw.before = rnd.next() < 0.9 ? rnd.pick(recorded).id : 'no-such-id';
  if (recorded.length && rnd.next() < 0.25) raw.since = rnd.pick(recorded).time;
  return q(raw);
}

describe('audit queries through postings', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const logs: AuditLog[] = [];
  const make = (maxFileBytes = 3000) => {
    const log = new AuditLog({
      dir: dir.path,
      bus: new EventBus(),
      logger: silentLogger(),
      maxFileBytes,
      retention: NO_RETENTION,
    });
    logs.push(log);
    return log;
  };

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.stop();
    await dir.cleanup();
  });

  it.each([1, 2, 3, 4])(
    'answers random queries as a full read does (seed %i)',
    async (seed) => {
      const rnd = random(seed);
      let log = make();
      await log.start();
      const recorded: AuditEntry[] = [];
      for (let batch = 0; batch < 12; batch++) {
        for (let i = 0, n = 10 + rnd.int(40); i < n; i++) {
          const entry = log.record(input(rnd, recorded.length));
          if (entry) recorded.push(entry);
        }
        await log.flush();
        const live = join(dir.path, 'audit.jsonl');
        const mishap = rnd.int(4);
        if (mishap === 0) {
          // A crash mid-line, then a restart: the torn line stays in the file.
          await log.stop();
          await appendFile(live, '{"id":"torn","time":"2020-01-01T00:00:00.000Z","sev');
          log = make();
          await log.start();
        } else if (mishap === 1) {
          // Something wrote to the live file behind the log's back: its offsets must not lie.
          await appendFile(live, 'not json at all, ünïcødé 😀\n');
        }
        for (let k = 0; k < 15; k++) {
          const query = randomQuery(rnd, recorded);
          const expected = await referenceQuery(dir.path, query);
          const label = JSON.stringify(query);
          expect(await log.query(query), label).toEqual(expected);
        }
      }
      // The same answers from a freshly started log (the live file's summary rebuilt from the
      // file), from a reader that never started (no live summary), and with postings lost.
      await log.stop();
      const fresh = make();
      await fresh.start();
      const reader = make();
      for (let k = 0; k < 40; k++) {
        const query = randomQuery(rnd, recorded);
        const expected = await referenceQuery(dir.path, query);
        expect(await fresh.query(query), JSON.stringify(query)).toEqual(expected);
        expect(await reader.query(query), JSON.stringify(query)).toEqual(expected);
      }
      const names = await readdir(dir.path);
      expect(names.some((n) => n.endsWith('.idx.json'))).toBe(true);
      for (const name of names.filter((n) => n.endsWith('.bin')))
        if (rnd.next() < 0.5) await rm(join(dir.path, name));
      const lost = make();
      await lost.start();
      for (let k = 0; k < 40; k++) {
        const query = randomQuery(rnd, recorded);
        expect(await lost.query(query), JSON.stringify(query)).toEqual(
          await referenceQuery(dir.path, query),
        );
      }
    },
    60_000,
  );

  it('rebuilds, once, an index written before postings, and gives the same answers', async () => {
    const log = make();
    await log.start();
    for (let i = 0; i < 200; i++)
      log.record({
        severity: i % 17 === 0 ? 'violation' : 'info',
        category: i % 5 === 0 ? 'proxy' : 'runtime',
        message: `entry ${i} ${'ü'.repeat(i % 9)}`,
      });
    await log.stop();
    const indexes = (await readdir(dir.path)).filter((n) => n.endsWith('.idx.json'));
    expect(indexes.length).toBeGreaterThan(5);
    for (const name of indexes) {
      const index = JSON.parse(await readFile(join(dir.path, name), 'utf8')) as {
        version?: number;
      };
      expect(index.version).toBe(2);
      // The index as the previous version wrote it: counts only.
      const { count, severities, categories, groups, first, last } = index as Record<
        string,
        unknown
      >;
      await writeFile(
        join(dir.path, name),
        JSON.stringify({ count, severities, categories, groups, first, last }),
      );
    }
    for (const name of (await readdir(dir.path)).filter((n) => n.endsWith('.bin')))
      await rm(join(dir.path, name));

    const fresh = make();
    await fresh.start();
    const query = q({ severity: 'violation', limit: 5 });
    expect(await fresh.query(query)).toEqual(await referenceQuery(dir.path, query));
    // Every file has entries of this category: each one's index is read, so rebuilt.
    const all = q({ category: 'proxy', limit: 1000 });
    expect(await fresh.query(all)).toEqual(await referenceQuery(dir.path, all));
    const rebuilt = new Map<string, string>();
    for (const name of indexes) {
      const text = await readFile(join(dir.path, name), 'utf8');
      expect((JSON.parse(text) as { version?: number }).version).toBe(2);
      expect(existsSync(join(dir.path, name.replace(/\.json$/, '.bin')))).toBe(true);
      rebuilt.set(name, text);
    }
    // Once: a later log reads the rebuilt indexes (planted counts show it did not rebuild).
    const [newest] = [...indexes].sort().reverse();
    const planted = { ...JSON.parse(rebuilt.get(newest!)!), categories: { elsewhere: 1 } };
    await writeFile(join(dir.path, newest!), JSON.stringify(planted));
    const later = make();
    await later.start();
    await later.query(all);
    expect(JSON.parse(await readFile(join(dir.path, newest!), 'utf8'))).toEqual(planted);
    const afterwards = new Map<string, string>();
    for (const name of indexes) afterwards.set(name, await readFile(join(dir.path, name), 'utf8'));
    afterwards.delete(newest!);
    rebuilt.delete(newest!);
    expect(afterwards).toEqual(rebuilt);
  });

  it('sweeps indexes whose file is gone, keeping the others', async () => {
    const log = make();
    await log.start();
    for (let i = 0; i < 100; i++) log.record({ severity: 'info', category: 'x', message: `${i}` });
    await log.stop();
    const files = (await readdir(dir.path)).filter((n) => /^audit-.*\.jsonl$/.test(n)).sort();
    expect(files.length).toBeGreaterThan(3);
    await rm(join(dir.path, files[0]!));
    await writeFile(join(dir.path, `.${files[1]}.idx.bin.0123abcd.tmp`), 'a crash mid-write');
    const fresh = make();
    await fresh.start(); // retention runs at start
    await fresh.flush();
    const indexes = (await readdir(dir.path)).filter((n) => n.includes('.idx.')).sort();
    expect(indexes).toEqual(
      files
        .slice(1)
        .flatMap((n) => [`${n}.idx.bin`, `${n}.idx.json`])
        .concat(`.${files[1]}.idx.bin.0123abcd.tmp`)
        .sort(),
    );
  });

  it('finds entries by byte offset in multi-byte UTF-8 text, past torn lines', async () => {
    let log = make(1_000_000);
    await log.start();
    const recorded: AuditEntry[] = [];
    const add = (i: number) => {
      const entry = log.record({
        severity: i % 3 === 0 ? 'violation' : 'info',
        category: 'ünïcødé',
        group: i % 2 ? 'grüße 😀' : 'work',
        message: `${i}: ${'日本語😀'.repeat(1 + (i % 7))}`,
      });
      if (entry) recorded.push(entry);
    };
    for (let i = 0; i < 30; i++) add(i);
    await log.stop();
    await appendFile(join(dir.path, 'audit.jsonl'), '{"id":"torn","message":"日本語😀');
    log = make(1_000_000);
    await log.start();
    for (let i = 30; i < 60; i++) add(i);
    for (const query of [
      q({ severity: 'violation', limit: 7 }),
      q({ group: 'grüße 😀', category: 'ünïcødé', limit: 100 }),
      q({ severity: 'violation', before: recorded[40]!.id, limit: 4 }),
    ]) {
      const result = await log.query(query);
      expect(result).toEqual(await referenceQuery(dir.path, query));
      expect(result.entries.length).toBeGreaterThan(0);
    }
  });

  it('scans a file for a key too common to list, with paging and since', async () => {
    const log = make(10_000_000);
    await log.start();
    const recorded: AuditEntry[] = [];
    for (let i = 0; i < 5_000; i++) {
      const entry = log.record({
        severity: i % 1000 === 0 ? 'violation' : 'info',
        category: 'bulk',
        message: `m${i}`,
      });
      if (entry) recorded.push(entry);
    }
    await log.flush();
    const queries = [
      q({ severity: 'info', limit: 3 }),
      q({ category: 'bulk', limit: 3, before: recorded[4_000]!.id }),
      q({ severity: 'info', limit: 10_000, since: recorded[4_990]!.time }),
      q({ severity: 'violation', limit: 2 }),
    ];
    for (const query of queries)
      expect(await log.query(query)).toEqual(await referenceQuery(dir.path, query));
    await log.stop();
    const fresh = make(10_000_000);
    await fresh.start();
    for (const query of queries)
      expect(await fresh.query(query)).toEqual(await referenceQuery(dir.path, query));
  });
});
