// Run by memory.ts as `node --expose-gc --import tsx bench/scheduler/memory-child.ts`: heap used
// after full GCs, in a process of its own so nothing else the benchmark did is on the heap.
// Prints one JSON line (MemoryResult) on stdout.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getTasks } from 'node-cron';
import { SCHEDULES_FILE } from '../../src/main/services/scheduler/scheduler-service';
import { armMix, SCHEDULES } from './fixture';
import { startHarness, writeSchedulesFile } from './harness';

export interface MemoryResult {
  /** Bytes of heap used after GC: the process with an empty started SchedulerService. */
  emptyHeap: number;
  /** … with the service holding SCHEDULES schedules (started from the saved file, armed). */
  fullHeap: number;
  /** … the same file JSON.parse'd and held as plain objects, the service gone: the data's floor. */
  rawHeap: number;
  /** The heap with neither (after the service stopped and was dropped). */
  afterHeap: number;
  emptyRss: number;
  fullRss: number;
  /** V8's heap size (pages it holds, used or not). */
  emptyHeapTotal: number;
  fullHeapTotal: number;
  fileBytes: number;
  schedules: number;
  /** node-cron tasks left in its registry (each nextFire creates and destroys one). */
  cronTasksLeft: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-child needs node --expose-gc');

async function settle(): Promise<{ heap: number; rss: number; total: number }> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, total: m.heapTotal };
}

const h = await startHarness('aigo-bench-mem-');
try {
  let service: ReturnType<typeof h.service> | null = h.service();
  await service.start();
  const empty = await settle();
  await service.stop();
  service = null;

  const now = Date.now();
  let mix: ReturnType<typeof armMix> | null = armMix(SCHEDULES, now);
  const fileBytes = await writeSchedulesFile(h.dataDir, mix.schedules, mix.anchors);
  mix = null;
  service = h.service();
  await service.start();
  const count = service.list().length;
  const full = await settle();
  await service.stop();
  service = null;
  const after = await settle();

  let raw: unknown = JSON.parse(await readFile(join(h.dataDir, SCHEDULES_FILE), 'utf8'));
  const rawHeap = (await settle()).heap;
  if (!raw) throw new Error('unreachable');
  raw = null;

  const result: MemoryResult = {
    emptyHeap: empty.heap,
    fullHeap: full.heap,
    rawHeap,
    afterHeap: after.heap,
    emptyRss: empty.rss,
    fullRss: full.rss,
    emptyHeapTotal: empty.total,
    fullHeapTotal: full.total,
    fileBytes,
    schedules: count,
    cronTasksLeft: getTasks().size,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await h.stop();
}
