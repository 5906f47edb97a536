import { randomUUID } from 'node:crypto';
import { nextFire } from '../../src/main/services/scheduler/schedule-math';
import type { CreateSchedule, Schedule, ScheduleSpec } from '../../src/shared/schemas/schedules';

export const SCHEDULES = 10_000;

/** A seeded PRNG (mulberry32): the same mix on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const between = (rnd: () => number, min: number, max: number) =>
  min + Math.floor(rnd() * (max - min + 1));

/** A prompt names its schedule's index, so a start() call can be traced back to it. */
export const promptOf = (i: number) => `bench schedule #${i}: summarise what changed`;
export const indexOf = (prompt: string): number => Number(/#(\d+):/.exec(prompt)?.[1] ?? -1);

/**
 * A cron minute that is not the current or one of the next `avoid` minutes (local time), so a
 * cron entry of the mix never fires while the benchmark measures something else.
 */
function quietMinute(rnd: () => number, now: number, avoid: number): number {
  const current = new Date(now).getMinutes();
  for (;;) {
    const m = between(rnd, 0, 59);
    if ((m - current + 60) % 60 > avoid) return m;
  }
}

/**
 * The create/arm mix, one third each: cron at varied minutes (hourly, every 2 h, office hours
 * on weekdays, daily; some in another zone), intervals of 10–60 s, one-off times 15–60 s
 * ahead. Nothing of it is due in the first 10 s after `now`.
 */
export function armMixInput(i: number, now: number, rnd: () => number): CreateSchedule {
  const kind = i % 3;
  let schedule: ScheduleSpec;
  let timezone: string | null = null;
  if (kind === 0) {
    const m = quietMinute(rnd, now, 3);
    schedule = {
      type: 'cron',
      value: pick(rnd, [
        `${m} * * * *`,
        `${m} */2 * * *`,
        `${m} 9-17 * * 1-5`,
        `${m} ${between(rnd, 0, 23)} * * *`,
      ]),
    };
    if (rnd() < 0.2) timezone = pick(rnd, ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo']);
  } else if (kind === 1)
    schedule = { type: 'interval', value: String(between(rnd, 10, 60) * 1000) };
  else
    schedule = { type: 'once', value: new Date(now + between(rnd, 15_000, 60_000)).toISOString() };
  return {
    name: `bench ${i}`,
    group: 'main',
    prompt: promptOf(i),
    schedule,
    timezone,
    contextMode: rnd() < 0.5 ? 'group' : 'isolated',
  };
}

/** A saved schedule as SchedulerService.create() makes it (same fields, same next run). */
export function savedSchedule(
  input: CreateSchedule,
  created: number,
  anchor: number,
  nextRun: number | null = null,
): Schedule {
  const iso = new Date(created).toISOString();
  const schedule: Schedule = {
    id: randomUUID(),
    name: input.name,
    group: input.group ?? 'main',
    prompt: input.prompt,
    schedule: input.schedule,
    timezone: input.timezone ?? null,
    containerConfig: { image: null, timeoutSecs: 300 },
    contextMode: input.contextMode ?? 'group',
    missedRuns: input.missedRuns ?? 'run_once',
    enabled: true,
    nextRun: null,
    lastRun: null,
    lastStatus: null,
    runningSession: null,
    createdBy: 'user',
    createdAt: iso,
    updatedAt: iso,
  };
  const at =
    nextRun ??
    nextFire({
      spec: schedule.schedule,
      timezone: schedule.timezone,
      anchor,
      lastScheduled: null,
      now: created,
    });
  schedule.nextRun = at === null ? null : new Date(at).toISOString();
  return schedule;
}

/** n schedules of the create/arm mix, all created (and anchored) at `now`. */
export function armMix(
  n: number,
  now: number,
  seed = 1,
): { schedules: Schedule[]; anchors: Record<string, number> } {
  const rnd = random(seed);
  const schedules: Schedule[] = [];
  const anchors: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const s = savedSchedule(armMixInput(i, now, rnd), now, now);
    schedules.push(s);
    anchors[s.id] = now;
  }
  return { schedules, anchors };
}

/** What fires inside the lateness window, as offsets from the window's start. */
export interface FiringPlan {
  /** Index → interval (ms) and the offset of its first slot in the window. */
  intervals: { index: number; every: number; first: number }[];
  /** Index → offset of its one-off time. */
  once: { index: number; at: number }[];
  /** Every due time in [0, windowMs), in order, with its schedule's index. */
  due: { index: number; at: number }[];
}

export const FIRING_INTERVALS = 300;
export const FIRING_ONCE = 300;

/**
 * The lateness population: SCHEDULES schedules, of which FIRING_INTERVALS are intervals of
 * 10–30 s (slots spread over the window) and FIRING_ONCE are one-off times spread across it;
 * the rest are quiet in the window (cron at hours far from now, intervals of hours, one-off
 * times tomorrow), as most schedules are at any given minute.
 */
export function firingPlan(windowMs: number, seed = 2): FiringPlan {
  const rnd = random(seed);
  const intervals: FiringPlan['intervals'] = [];
  const once: FiringPlan['once'] = [];
  for (let k = 0; k < FIRING_INTERVALS; k++) {
    const every = between(rnd, 10, 30) * 1000;
    intervals.push({ index: k, every, first: Math.floor(rnd() * every) });
  }
  for (let k = 0; k < FIRING_ONCE; k++)
    once.push({ index: FIRING_INTERVALS + k, at: Math.floor(rnd() * windowMs) });
  const due: FiringPlan['due'] = [...once];
  for (const s of intervals)
    for (let at = s.first; at < windowMs; at += s.every) due.push({ index: s.index, at });
  due.sort((a, b) => a.at - b.at);
  return { intervals, once, due };
}

/**
 * The lateness population for a window starting at `windowStart` (epoch ms), saved as if
 * created at `created`. Interval anchors are placed so slot k of schedule i is exactly
 * windowStart + first + k × every.
 */
export function latenessMix(
  plan: FiringPlan,
  n: number,
  windowStart: number,
  created: number,
  seed = 3,
): { schedules: Schedule[]; anchors: Record<string, number> } {
  const rnd = random(seed);
  const schedules: Schedule[] = [];
  const anchors: Record<string, number> = {};
  const base = (i: number, schedule: ScheduleSpec, timezone: string | null = null) => ({
    name: `bench ${i}`,
    group: 'main',
    prompt: promptOf(i),
    schedule,
    timezone,
    contextMode: rnd() < 0.5 ? ('group' as const) : ('isolated' as const),
  });
  for (const s of plan.intervals) {
    const anchor = windowStart + s.first - s.every;
    const saved = savedSchedule(
      base(s.index, { type: 'interval', value: String(s.every) }),
      created,
      anchor,
      windowStart + s.first,
    );
    schedules.push(saved);
    anchors[saved.id] = anchor;
  }
  for (const s of plan.once) {
    const at = windowStart + s.at;
    const saved = savedSchedule(
      base(s.index, { type: 'once', value: new Date(at).toISOString() }),
      created,
      created,
      at,
    );
    schedules.push(saved);
    anchors[saved.id] = created;
  }
  const farHour = (new Date(windowStart).getHours() + 12) % 24;
  for (let i = FIRING_INTERVALS + FIRING_ONCE; i < n; i++) {
    const kind = i % 3;
    let spec: ScheduleSpec;
    if (kind === 0)
      spec = {
        type: 'cron',
        value: pick(rnd, [
          `${between(rnd, 0, 59)} ${farHour} * * *`,
          `${between(rnd, 0, 59)} ${farHour} * * 1-5`,
        ]),
      };
    else if (kind === 1)
      spec = { type: 'interval', value: String(between(rnd, 60, 1440) * 60_000) };
    else
      spec = {
        type: 'once',
        value: new Date(windowStart + 86_400_000 + between(rnd, 0, 3_600_000)).toISOString(),
      };
    const saved = savedSchedule(base(i, spec), created, created);
    schedules.push(saved);
    anchors[saved.id] = created;
  }
  return { schedules, anchors };
}
