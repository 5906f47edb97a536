import { performance } from 'node:perf_hooks';
import { AuditLog } from '../src/main/services/audit/audit-log';
import { EventBus } from '../src/main/services/events/event-bus';
import { auditQuerySchema, type AuditQuery } from '../src/shared/schemas/audit';
import { silentLogger, tempDir } from '../test/helpers/temp';
import { ms, ratio, summarize } from './sessions/stats';

/**
 * Audit queries on a large log against the same queries on a small one (flat in log size is
 * the goal): 1 % violations spread through the history, and a filter that matches nothing.
 * Each query runs on a freshly started log (no summaries cached in memory), median of 5.
 */
const LARGE = Number(process.env.BENCH_AUDIT_ENTRIES ?? 200_000);
const SMALL = 1_000;
const RUNS = 5;

async function fill(entries: number): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('aigo-audit-bench-');
  const log = new AuditLog({ dir: dir.path, bus: new EventBus(), logger: silentLogger() });
  await log.start();
  for (let i = 0; i < entries; i++) {
    const violation = i % 100 === 0;
    log.record({
      severity: violation ? 'violation' : 'info',
      category: violation ? 'proxy' : 'session',
      group: `group-${i % 7}`,
      message: violation
        ? `Blocked: a request with an unknown placeholder (${i})`
        : `Session ${i} ran a step of its agent and wrote a few files in its workspace`,
      details: { session: `s-${i}`, step: i % 50, files: ['notes/out.txt', 'report.md'] },
    });
    if (i % 5000 === 4999) await log.flush();
  }
  await log.stop();
  return dir;
}

async function timeQuery(dir: string, query: AuditQuery): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const log = new AuditLog({ dir, bus: new EventBus(), logger: silentLogger() });
    await log.start();
    const started = performance.now();
    await log.query(query);
    samples.push(performance.now() - started);
    await log.stop();
  }
  return summarize(samples).p50;
}

export async function auditBench(): Promise<void> {
  console.log(
    `\nAudit log queries: ${LARGE.toLocaleString()} entries vs ${SMALL.toLocaleString()} (median of ${RUNS})`,
  );
  const filling = performance.now();
  const large = await fill(LARGE);
  const small = await fill(SMALL);
  console.log(`(filled in ${((performance.now() - filling) / 1000).toFixed(1)} s)`);
  try {
    const queries: [string, AuditQuery][] = [
      [
        'severity=violation&limit=500',
        auditQuerySchema.parse({ severity: 'violation', limit: 500 }),
      ],
      ['category matching nothing', auditQuerySchema.parse({ category: 'nothing-matches' })],
      ['newest 100, no filter', auditQuerySchema.parse({ limit: 100 })],
    ];
    const rows: Record<string, Record<string, string>> = {};
    for (const [name, query] of queries) {
      const big = await timeQuery(large.path, query);
      const little = await timeQuery(small.path, query);
      rows[name] = {
        [`${LARGE} entries ms`]: ms(big),
        [`${SMALL} entries ms`]: ms(little),
        ratio: ratio(big, little),
      };
    }
    console.table(rows);
  } finally {
    await large.cleanup();
    await small.cleanup();
  }
}
