import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { scheduleSchema, type Schedule } from '../../src/shared/schemas/schedules';
import type { Session } from '../../src/shared/schemas/sessions';
import { percentile, sleep, summarize, type Summary } from '../sessions/stats';
import { armMix, armMixInput, random, SCHEDULES } from './fixture';
import { startHarness, writeSchedulesFile } from './harness';

/** Creating one by one stops after this much time (or at SCHEDULES). */
export const CREATE_BUDGET_MS = 8_000;
const MARGINAL_CREATES = 3;
const MARGINAL_RUNS = 2;
const REPEATS = 3;
const EVENT_LIMIT_MS = 10_000;

export interface CreateResult {
  created: number;
  totalMs: number;
  /** ms of each create(), in order (the i-th was made with i schedules already held). */
  times: number[];
  /** Least-squares fit of create ms against schedules held: ms ≈ a + b·n. */
  fit: { a: number; b: number };
  /** start() calls made while creating (intervals of the mix come due after 10 s). */
  firesDuring: number;
}

function fitLine(ys: number[]): { a: number; b: number } {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/** The create/arm mix through SchedulerService.create(), one at a time, as the API does. */
export async function createOneByOne(): Promise<CreateResult> {
  const h = await startHarness('aigo-bench-create-');
  try {
    const service = h.service();
    await service.start();
    const rnd = random(1);
    const times: number[] = [];
    const started = performance.now();
    while (times.length < SCHEDULES && performance.now() - started < CREATE_BUDGET_MS) {
      const t0 = performance.now();
      await service.create(armMixInput(times.length, Date.now(), rnd));
      times.push(performance.now() - t0);
    }
    const totalMs = performance.now() - started;
    const firesDuring = h.sessions.calls.length;
    h.sessions.halt();
    await service.stop();
    await sleep(200);
    return { created: times.length, totalMs, times, fit: fitLine(times), firesDuring };
  } finally {
    await h.stop();
  }
}

export interface Instrumented {
  total: number;
  clones: { n: number; ms: number };
  stringify: { n: number; ms: number };
}

/**
 * Runs `fn` with structuredClone and JSON.stringify timed (the global functions are wrapped
 * for its duration): where a change's time goes, without editing the service.
 */
async function instrument(fn: () => Promise<unknown>): Promise<Instrumented> {
  const clone = globalThis.structuredClone;
  const stringify = JSON.stringify;
  const clones = { n: 0, ms: 0 };
  const strings = { n: 0, ms: 0 };
  globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) => {
    const t0 = performance.now();
    try {
      return clone(value, options);
    } finally {
      clones.n++;
      clones.ms += performance.now() - t0;
    }
  }) as typeof structuredClone;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    const t0 = performance.now();
    try {
      return stringify(...args);
    } finally {
      strings.n++;
      strings.ms += performance.now() - t0;
    }
  }) as typeof JSON.stringify;
  const t0 = performance.now();
  try {
    await fn();
    return { total: performance.now() - t0, clones, stringify: strings };
  } finally {
    globalThis.structuredClone = clone;
    JSON.stringify = stringify;
  }
}

export interface TenKResult {
  /** start() with SCHEDULES saved schedules: load, validate, re-arm, save. */
  restartMs: number;
  fileBytes: number;
  /** Baseline: SCHEDULES plain setTimeouts for the same due times, armed and cleared. */
  timersArmMs: number;
  create: Instrumented[];
  update: Instrumented;
  remove: Instrumented;
  run: Instrumented[];
  /** A run's session ends: the service logs it and saves the schedule. */
  sessionEnd: Instrumented | null;
  /** The pieces of one save, each alone on the same data (median of REPEATS). */
  parts: { clone: number; validate: number; fileText: number; fileWrite: number; event: number };
  firesDuring: number;
  problems: string[];
}

/** The same shape the service keeps in schedules.json (scheduler-service.ts `fileSchema`). */
const fileSchema = z.object({
  schedules: z.array(scheduleSchema).default([]),
  anchors: z.record(z.string(), z.number()).default({}),
});

const median = (xs: number[]) => percentile(xs, 0.5);

async function timeIt(fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** What one event costs after `fn`: waits (bounded) for the service's next schedules.changed. */
function nextChange(h: Awaited<ReturnType<typeof startHarness>>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no schedules.changed after a session ended'));
    }, EVENT_LIMIT_MS);
    const off = h.bus.on('schedules.changed', () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * SCHEDULES saved schedules of the create/arm mix: start() on them (a restart), then single
 * changes with that many held — create, update, delete, a run, a run's session ending — each
 * with its time in structuredClone and JSON.stringify, and the pieces of one save alone.
 * Nothing of the mix is due in its first 10 s; this phase takes less than that.
 */
export async function tenThousand(): Promise<TenKResult> {
  const problems: string[] = [];
  const h = await startHarness('aigo-bench-10k-');
  try {
    const now = Date.now();
    const mix = armMix(SCHEDULES, now);
    const fileBytes = await writeSchedulesFile(h.dataDir, mix.schedules, mix.anchors);
    const dues = mix.schedules.map((s) => (s.nextRun ? Date.parse(s.nextRun) : now + 3_600_000));
    const timersArmMs = await timeIt(() => {
      const timers = dues.map((due) => setTimeout(() => undefined, due - Date.now()));
      for (const t of timers) clearTimeout(t);
    });

    const service = h.service();
    let t0 = performance.now();
    await service.start();
    const restartMs = performance.now() - t0;
    const held = service.list();
    if (held.length !== SCHEDULES) problems.push(`loaded ${held.length} of ${SCHEDULES}`);
    for (const w of h.warnings.list()) problems.push(`warning ${w.code}: ${w.message}`);

    const rnd = random(9);
    const create: Instrumented[] = [];
    for (let i = 0; i < MARGINAL_CREATES; i++)
      create.push(
        await instrument(() => service.create(armMixInput(SCHEDULES + i, Date.now(), rnd))),
      );
    const target = held[1] as Schedule;
    const update = await instrument(() => service.setEnabled(target.id, false));
    const remove = await instrument(() => service.delete(target.id));
    const runId = (held[2] as Schedule).id;
    const run: Instrumented[] = [];
    for (let i = 0; i < MARGINAL_RUNS; i++) run.push(await instrument(() => service.runNow(runId)));
    let sessionEnd: Instrumented | null = null;
    const last = h.sessions.calls.at(-1);
    if (last) {
      t0 = performance.now();
      sessionEnd = await instrument(async () => {
        const changed = nextChange(h);
        h.bus.emit('session.updated', {
          id: last.sessionId,
          state: 'ended',
          lastStatus: 'succeeded',
          error: null,
        } as unknown as Session);
        await changed;
      }).catch((e: Error) => {
        problems.push(e.message);
        return null;
      });
    }
    const firesDuring = h.sessions.calls.length - MARGINAL_RUNS;
    h.sessions.halt();
    await service.stop();

    // The pieces of one save, alone, on the same data.
    const doc = { schedules: service.list(), anchors: mix.anchors };
    const path = join(h.dataDir, 'bench-write.json');
    let text = '';
    const parts = {
      clone: await timeIt(() => structuredClone(doc)),
      validate: await timeIt(() => fileSchema.safeParse(doc)),
      fileText: await timeIt(() => (text = JSON.stringify(doc, null, 2))),
      fileWrite: await timeIt(async () => {
        await writeFile(`${path}.tmp`, text, 'utf-8');
        await rename(`${path}.tmp`, path);
      }),
      event: await timeIt(() => JSON.stringify({ schedules: doc.schedules })),
    };
    return {
      restartMs,
      fileBytes,
      timersArmMs,
      create,
      update,
      remove,
      run,
      sessionEnd,
      parts,
      firesDuring,
      problems,
    };
  } finally {
    await h.stop();
  }
}

export const summaryOf = (xs: Instrumented[]): Summary => summarize(xs.map((x) => x.total));
