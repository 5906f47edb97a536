import { createRequire } from 'node:module';
import type Cronstrue from 'cronstrue';
import { createTask, validateDetailed } from 'node-cron';
import { AppError } from '../../../shared/errors';
import type { ScheduleSpec } from '../../../shared/schemas/schedules';

/** Shortest interval a schedule may have: an agent run takes seconds at the very least. */
export const MIN_INTERVAL_MS = 10_000;

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const invalid = (field: string, message: string) =>
  new AppError('INVALID_INPUT', message, { issues: [{ path: field, message }] });

/** The zone is a real IANA zone (`Europe/Berlin`), or null for the system's. */
export function checkTimezone(timezone: string | null): string {
  const zone = timezone ?? systemTimezone();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format(0);
  } catch {
    throw invalid(
      'timezone',
      `timezone "${zone}" is not a time zone: use an IANA name such as Europe/Berlin or America/New_York, or leave it empty for the system's.`,
    );
  }
  return zone;
}

/** Refuses what can never fire, naming the field and what a valid value looks like. */
export function checkSpec(spec: ScheduleSpec, timezone: string | null): void {
  checkTimezone(timezone);
  if (spec.type === 'cron') {
    const fields = spec.value.trim().split(/\s+/);
    if (fields.length !== 5)
      throw invalid(
        'schedule.value',
        `schedule.value "${spec.value}" has ${fields.length} fields; a cron expression has 5: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5".`,
      );
    const result = validateDetailed(spec.value);
    if (!result.valid)
      throw invalid(
        'schedule.value',
        `schedule.value "${spec.value}" is not a valid cron expression: ${result.errors
          .map((e) => `${e.field}: ${e.message}`)
          .join('; ')}.`,
      );
  } else if (spec.type === 'interval') {
    const ms = Number(spec.value);
    if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS)
      throw invalid(
        'schedule.value',
        `schedule.value "${spec.value}" must be a whole number of milliseconds, at least ${MIN_INTERVAL_MS} (10 s); one hour is 3600000.`,
      );
  } else if (Number.isNaN(Date.parse(spec.value)))
    throw invalid(
      'schedule.value',
      `schedule.value "${spec.value}" is not a date and time: use ISO 8601, e.g. 2026-12-24T18:00:00+01:00.`,
    );
}

/** The next cron fire strictly after now, in the schedule's zone (node-cron does the calendar). */
function nextCron(expression: string, zone: string): Date | null {
  const task = createTask(expression, () => undefined, { timezone: zone });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}

export interface NextFireInput {
  spec: ScheduleSpec;
  timezone: string | null;
  /** Intervals count from here: the schedule's creation (or the change of its interval). */
  anchor: number;
  /** The slot that fired last, if any. */
  lastScheduled: number | null;
  now: number;
}

/**
 * When the schedule fires next. Intervals are anchored: slot k is anchor + k × interval, and the
 * next one is the first slot after both now and the last fired slot — missed slots are skipped,
 * never replayed, and execution time never shifts the grid. A `once` fires once.
 */
export function nextFire(input: NextFireInput): number | null {
  const { spec, now } = input;
  if (spec.type === 'once') {
    const at = Date.parse(spec.value);
    return input.lastScheduled !== null && input.lastScheduled >= at ? null : at;
  }
  if (spec.type === 'interval') {
    const every = Number(spec.value);
    const after = Math.max(now, input.lastScheduled ?? input.anchor);
    const slots = Math.floor((after - input.anchor) / every) + 1;
    return input.anchor + Math.max(1, slots) * every;
  }
  return nextCron(spec.value, checkTimezone(input.timezone))?.getTime() ?? null;
}

/** The next `count` fire times from now, for the form's preview. */
export function nextFires(input: Omit<NextFireInput, 'lastScheduled'>, count: number): number[] {
  if (input.spec.type === 'cron') {
    const task = createTask(input.spec.value, () => undefined, {
      timezone: checkTimezone(input.timezone),
    });
    try {
      return task.getNextRuns(count).map((d) => d.getTime());
    } finally {
      void task.destroy();
    }
  }
  const out: number[] = [];
  let last: number | null = null;
  for (let i = 0; i < count; i++) {
    const next = nextFire({ ...input, lastScheduled: last });
    if (next === null || (last !== null && next <= last)) break;
    out.push(next);
    last = next;
  }
  return out;
}

/** Loaded when a schedule is first described, not with every start (a few ms of its own). */
let cronstrue: typeof Cronstrue | undefined;
function describeCron(expression: string): string {
  cronstrue ??= createRequire(import.meta.url)('cronstrue') as typeof Cronstrue;
  return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false });
}

/** "At 09:00, Monday through Friday", "Every 1 h 30 min", "Once, on …". */
export function describeSpec(spec: ScheduleSpec, timezone: string | null): string {
  const zone = timezone ?? systemTimezone();
  if (spec.type === 'cron') return `${describeCron(spec.value)} (${zone})`;
  if (spec.type === 'interval') return `Every ${duration(Number(spec.value))}`;
  return `Once, on ${new Date(spec.value).toLocaleString('en-GB', { timeZone: zone })} (${zone})`;
}

export function duration(ms: number): string {
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  let rest = ms;
  for (const [size, label] of units) {
    const n = Math.floor(rest / size);
    if (n) parts.push(`${n} ${label}`);
    rest -= n * size;
  }
  return parts.join(' ') || `${ms} ms`;
}
