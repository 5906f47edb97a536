import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sleep, summarize, type Summary } from '../sessions/stats';
import { indexOf, latenessMix, SCHEDULES, type FiringPlan } from './fixture';
import { clock, startHarness, writeSchedulesFile, type StartCall } from './harness';

/** The due times of the lateness run span this much real time. */
export const WINDOW_MS = 60_000;
/** After the window, the scheduler gets this long to start what is still due. */
const DRAIN_MS = 8_000;
/** After stop(), writes under way get this long to finish before the data folder goes. */
const QUIESCE_MS = 5_000;
/** The peer's design: a loop that looks for due tasks every 60 s. */
export const PEER_POLL_MS = 60_000;
const PEER_PHASES = 100;

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

const LOOP_RESOLUTION_MS = 10;

/** The histogram holds each sampling interval; the delay is what exceeds the resolution. */
function loopDelay(h: ReturnType<typeof monitorEventLoopDelay>): LoopDelay {
  const delay = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  return { p50: delay(h.percentile(50)), p99: delay(h.percentile(99)), max: delay(h.max) };
}

export interface BaselineResult {
  lateness: Summary;
  loop: LoopDelay;
}

/**
 * The event loop's own lateness: one empty setTimeout per due time of the plan (the same
 * offsets, in a window of its own), in this process, nothing else running.
 */
export async function timerBaseline(plan: FiringPlan): Promise<BaselineResult> {
  const start = clock() + 1000;
  const late: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  const eld = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  eld.enable();
  for (const d of plan.due) {
    const due = start + d.at;
    timers.push(setTimeout(() => late.push(clock() - due), due - clock()));
  }
  await sleep(1000 + WINDOW_MS + 500);
  eld.disable();
  for (const t of timers) clearTimeout(t);
  return { lateness: summarize(late), loop: loopDelay(eld) };
}

/**
 * The peer's 60 s poll over the same due times: a task is seen at the first poll at or after
 * its due time. The poll's phase is unknown, so PEER_PHASES random phases are pooled.
 */
export function peerPoll(plan: FiringPlan): Summary {
  const late: number[] = [];
  for (let k = 0; k < PEER_PHASES; k++) {
    const phase = ((k + Math.random()) / PEER_PHASES) * PEER_POLL_MS;
    for (const d of plan.due) {
      const polls = Math.ceil((d.at - phase) / PEER_POLL_MS);
      late.push(phase + polls * PEER_POLL_MS - d.at);
    }
  }
  return summarize(late);
}

export interface SchedulerLateness {
  restartMs: number;
  fileBytes: number;
  /** Due slots in the window (the plan). */
  due: number;
  /** Lateness of each due slot's first start() call (start() call − scheduledFor). */
  fired: Summary;
  /** Every due slot; one never started counts as (end − due), a lower bound. */
  allSlots: Summary;
  startedOnce: number;
  /** start() calls for a slot that had been started already. */
  duplicateStarts: number;
  /** Slots never started because the service moved the schedule past them. */
  skipped: number;
  /** Slots neither started nor moved past when the run ended. */
  notStarted: number;
  /** start() calls for slots due after the window (during the drain). */
  laterSlots: number;
  /** start() calls whose slot could not be read back from the service. */
  unresolved: number;
  /** start() calls for schedules not meant to fire in the window. */
  unexpected: number;
  /** start() calls after stop() returned. */
  afterStop: number;
  /** Gap between two start() calls while the second was already due (one fire's cost). */
  perFire: Summary;
  loop: LoopDelay;
  /** ms from the window's start until the run was stopped. */
  ranMs: number;
  problems: string[];
}

/**
 * SCHEDULES saved schedules (the lateness population of fixture.ts), the service started on
 * them, and every start() it makes over WINDOW_MS of real time (plus a bounded drain).
 * Each call's slot (scheduledFor) is read back from the service's own run entry.
 */
export async function schedulerLateness(
  plan: FiringPlan,
  leadMs: number,
): Promise<SchedulerLateness> {
  const problems: string[] = [];
  const h = await startHarness('aigo-bench-late-');
  try {
    const created = Date.now();
    const windowStart = created + leadMs;
    const mix = latenessMix(plan, SCHEDULES, windowStart, created);
    const idOf = new Map<number, string>();
    for (const s of mix.schedules) idOf.set(indexOf(s.prompt), s.id);
    const fileBytes = await writeSchedulesFile(h.dataDir, mix.schedules, mix.anchors);
    const service = h.service();

    const seen: { index: number; slot: number; at: number }[] = [];
    let unresolved = 0;
    let stopped = false;
    let afterStop = 0;
    // The service sets its run entry right after start() answers: read it on the next turn.
    const resolveSlot = (call: StartCall) => {
      const index = indexOf(call.prompt);
      const entry = service.runningEntry(idOf.get(index) ?? '');
      if (entry?.sessionId !== call.sessionId) unresolved++;
      else seen.push({ index, slot: Date.parse(entry.scheduledFor), at: call.at });
    };
    h.sessions.onStart = (call) => {
      if (stopped) afterStop++;
      else setImmediate(() => resolveSlot(call));
    };

    const t0 = performance.now();
    await service.start();
    const restartMs = performance.now() - t0;
    const loaded = service.list().length;
    if (loaded !== SCHEDULES)
      problems.push(`the service loaded ${loaded} of ${SCHEDULES} schedules`);
    for (const w of h.warnings.list()) problems.push(`warning ${w.code}: ${w.message}`);
    if (clock() > windowStart)
      problems.push(`start() took longer than the ${leadMs} ms lead: the window began before it`);

    const slotKey = (index: number, slot: number) => `${index}@${slot}`;
    const expected = new Map<string, { index: number; due: number }>();
    for (const d of plan.due)
      expected.set(slotKey(d.index, windowStart + d.at), {
        index: d.index,
        due: windowStart + d.at,
      });
    const windowEnd = windowStart + WINDOW_MS;
    const latestSlot = () => {
      const last = new Map<number, number>();
      for (const s of seen) last.set(s.index, Math.max(last.get(s.index) ?? 0, s.slot));
      return last;
    };
    /** Every due slot was started, or the service moved its schedule past it. */
    const settled = () => {
      const started = new Set(seen.map((s) => slotKey(s.index, s.slot)));
      const last = latestSlot();
      for (const [key, { index, due }] of expected)
        if (!started.has(key) && !((last.get(index) ?? 0) > due)) return false;
      return true;
    };

    await sleep(Math.max(0, windowStart - clock()));
    const eld = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    eld.enable();
    await sleep(Math.max(0, windowEnd - clock()));
    const drainUntil = clock() + DRAIN_MS;
    while (clock() < drainUntil && !settled()) await sleep(250);
    eld.disable();
    const ended = clock();

    // Stop: no more session ends; a start() from now on never answers, so a tick still going
    // halts there instead of working through its list into a deleted folder.
    h.sessions.halt();
    stopped = true;
    await service.stop();
    await sleep(500);
    const quiet = clock() + QUIESCE_MS;
    let calls = h.sessions.calls.length;
    while (clock() < quiet) {
      await sleep(500);
      if (h.sessions.calls.length === calls) break;
      calls = h.sessions.calls.length;
    }

    // Accounting, slot by slot.
    const firing = new Set(plan.due.map((d) => d.index));
    const firstStart = new Map<string, number>();
    let duplicateStarts = 0;
    let laterSlots = 0;
    let unexpected = 0;
    for (const s of seen) {
      const key = slotKey(s.index, s.slot);
      if (!expected.has(key)) {
        if (s.slot >= windowEnd && firing.has(s.index)) laterSlots++;
        else unexpected++;
      } else if (firstStart.has(key)) duplicateStarts++;
      else firstStart.set(key, s.at - s.slot);
    }
    const lastSlot = latestSlot();
    let skipped = 0;
    let notStarted = 0;
    const fired: number[] = [];
    const all: number[] = [];
    for (const [key, { index, due }] of expected) {
      const late = firstStart.get(key);
      if (late !== undefined) {
        fired.push(late);
        all.push(late);
        continue;
      }
      all.push(ended - due);
      if ((lastSlot.get(index) ?? 0) > due) skipped++;
      else notStarted++;
    }
    const ordered = [...seen].sort((a, b) => a.at - b.at);
    const gaps: number[] = [];
    for (let i = 1; i < ordered.length; i++) {
      const prev = ordered[i - 1];
      const next = ordered[i];
      if (prev && next && next.slot <= prev.at) gaps.push(next.at - prev.at);
    }
    return {
      restartMs,
      fileBytes,
      due: expected.size,
      fired: summarize(fired),
      allSlots: summarize(all),
      startedOnce: firstStart.size,
      duplicateStarts,
      skipped,
      notStarted,
      laterSlots,
      unresolved,
      unexpected,
      afterStop,
      perFire: summarize(gaps),
      loop: loopDelay(eld),
      ranMs: ended - windowStart,
      problems,
    };
  } finally {
    await h.stop();
  }
}
