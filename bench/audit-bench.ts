import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addToSummary, emptySummary, writeIndex } from '../src/main/services/audit/audit-index';
import { AUDIT_FILE, AuditLog } from '../src/main/services/audit/audit-log';
import { retentionFromSettings } from '../src/main/services/audit/retention';
import { EventBus } from '../src/main/services/events/event-bus';
import { auditQuerySchema, type AuditEntry, type AuditQuery } from '../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../test/helpers/temp';
import { ms, ratio, summarize, verdict } from './sessions/stats';

/**
 * Audit queries on a large log against the same queries on a small one (flat in log size is
 * the goal): 1 % violations spread through the history, and a filter that matches nothing.
 * Each query runs on a freshly started log (no summaries cached in memory), median of 5.
 */
const LARGE = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
/** Holds 1,000 violations, as the large log holds more than 500: the same answer, 10x less log. */
const MID = 100_000;
const SMALL = 1_000;
const RUNS = 5;
const TARGET_MS = 30;
/** As the log rotates by default. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** A million entries are ~270 MB: retention set high enough to keep them (the max is 100 GB). */
const retention = () => retentionFromSettings({ retentionMaxMb: 100_000, retentionDays: 3_650 });

function entry(i: number, time: number): AuditEntry {
  const violation = i % 100 === 0;
  // The shape and key order the log writes (AuditLog.prepare).
  return {
    id: randomUUID(),
    time: new Date(time).toISOString(),
    severity: violation ? 'violation' : 'info',
    category: violation ? 'proxy' : 'session',
    group: `group-${i % 7}`,
    message: violation
      ? `Blocked: a request with an unknown placeholder (${i})`
      : `Session ${i} ran a step of its agent and wrote a few files in its workspace`,
    details: { session: `s-${i}`, step: i % 50, files: ['notes/out.txt', 'report.md'] },
  };
}

/**
 * The log as AuditLog writes it — JSON lines rotated at 5 MB into `audit-<time>-<n>.jsonl`, each
 * with the index the log writes at rotation (same code) — but written in bulk: recording a
 * million entries one by one would take minutes. One entry per millisecond, ending now.
 */
async function fill(entries: number): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('aigo-audit-bench-');
  const start = Date.now() - entries;
  let lines: string[] = [];
  let size = 0;
  let summary = emptySummary();
  let rotations = 0;
  const rotate = async (time: number) => {
    const stamp = new Date(time).toISOString().replace(/[-:.]/g, '');
    const name = join(dir.path, `audit-${stamp}-${String(++rotations).padStart(6, '0')}.jsonl`);
    await writeFile(name, lines.join(''), { mode: 0o600 });
    await writeIndex(name, summary);
    [lines, size, summary] = [[], 0, emptySummary()];
  };
  for (let i = 0; i < entries; i++) {
    const e = entry(i, start + i);
    const line = `${JSON.stringify(e)}\n`;
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > MAX_FILE_BYTES) await rotate(start + i);
    addToSummary(summary, e, { offset: size, length: bytes - 1 });
    lines.push(line);
    size += bytes;
  }
  await writeFile(join(dir.path, AUDIT_FILE), lines.join(''), { mode: 0o600 });
  return dir;
}

/** A full collection before each measured query, so the heap growth is the query's own. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const newLog = (dir: string) =>
  new AuditLog({ dir, bus: new EventBus(), logger: silentLogger(), retention });

/**
 * Median time of the query, each run on a freshly started log; and the most its heap and RSS
 * grew (heap: what it allocated and the GC had not yet freed, its result included).
 */
async function timeQuery(dir: string, query: AuditQuery) {
  const samples: number[] = [];
  let heap = 0;
  let rss = 0;
  for (let run = 0; run < RUNS; run++) {
    const log = newLog(dir);
    await log.start();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the collector's sweeping done
    const before = process.memoryUsage();
    const started = performance.now();
    await log.query(query);
    samples.push(performance.now() - started);
    const after = process.memoryUsage();
    heap = Math.max(heap, after.heapUsed - before.heapUsed);
    rss = Math.max(rss, after.rss - before.rss);
    await log.stop();
  }
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return { ms: summarize(samples).p50, heap: mb(heap), rss: mb(rss) };
}

export async function auditBench(): Promise<void> {
  console.log(
    `\nAudit log queries: ${LARGE.toLocaleString()} entries vs ${MID.toLocaleString()} and ${SMALL.toLocaleString()} (median of ${RUNS}, each on a freshly started log)`,
  );
  const filling = performance.now();
  const large = await fill(LARGE);
  const mid = await fill(MID);
  const small = await fill(SMALL);
  console.log(`(filled in ${((performance.now() - filling) / 1000).toFixed(1)} s)`);
  try {
    const violations = auditQuerySchema.parse({ severity: 'violation', limit: 500 });
    /** Page 2 of the violations: `before` the last of page 1, found by reading back to it. */
    const page2 = async (dir: string) => {
      const log = newLog(dir);
      const first = await log.query(violations);
      return { ...violations, before: first.entries.at(-1)?.id };
    };
    const queries: [string, (dir: string) => Promise<AuditQuery>][] = [
      ['severity=violation&limit=500', async () => violations],
      ['category matching nothing', async () => auditQuerySchema.parse({ category: 'nothing' })],
      ['newest 100, no filter', async () => auditQuerySchema.parse({ limit: 100 })],
      [
        'group=group-3&limit=500',
        async () => auditQuerySchema.parse({ group: 'group-3', limit: 500 }),
      ],
      ['violations page 2 (before=…)', page2],
    ];
    const rows: Record<string, Record<string, string>> = {};
    for (const [name, queryFor] of queries) {
      const big = await timeQuery(large.path, await queryFor(large.path));
      const middle = await timeQuery(mid.path, await queryFor(mid.path));
      const little = await timeQuery(small.path, await queryFor(small.path));
      rows[name] = {
        [`${LARGE} entries ms`]: ms(big.ms),
        [`${MID} ms`]: ms(middle.ms),
        [`${SMALL} ms`]: ms(little.ms),
        [`vs ${SMALL}`]: ratio(big.ms, little.ms),
        [`vs ${MID}`]: ratio(big.ms, middle.ms),
        target: name.includes('page') ? '—' : `≤ ${TARGET_MS} ms, flat`,
        met: name.includes('page') ? '—' : verdict(big.ms <= TARGET_MS),
        'heap / RSS growth MB': `${big.heap} / ${big.rss}`,
      };
    }
    console.table(rows);
  } finally {
    await large.cleanup();
    await mid.cleanup();
    await small.cleanup();
  }
}
