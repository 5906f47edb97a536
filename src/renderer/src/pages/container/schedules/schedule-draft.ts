import type {
  CreateSchedule,
  Schedule,
  ScheduleSpec,
} from '../../../../../shared/schemas/schedules';
import type { DraftProblem } from '../groups/group-draft';

export type ScheduleType = ScheduleSpec['type'];
export type IntervalUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export const UNIT_MS: Record<IntervalUnit, number> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/**
 * A schedule as its form edits it. Each kind of timing keeps its own value, so switching the
 * type back and forth loses nothing; numbers are the text the user types.
 */
export interface ScheduleDraft {
  name: string;
  /** The group's name. */
  group: string;
  prompt: string;
  type: ScheduleType;
  cron: string;
  /** Interval: an amount of `unit`s. */
  every: string;
  unit: IntervalUnit;
  /** Once: a `datetime-local` value, in this computer's time. */
  at: string;
  /** Empty: the system's zone. */
  timezone: string;
  timeoutSecs: string;
  contextMode: Schedule['contextMode'];
  missedRuns: Schedule['missedRuns'];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as a `datetime-local` input shows it: local, to the minute. */
export function localInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`;
}

/** Tomorrow at 09:00, local: where a one-off schedule starts. */
function tomorrowAtNine(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return localInput(d);
}

/** A new schedule, with the core's defaults. */
export function newDraft(group: string, preset: Partial<ScheduleDraft> = {}): ScheduleDraft {
  return {
    name: '',
    group,
    prompt: '',
    type: 'cron',
    cron: '0 9 * * 1-5',
    every: '1',
    unit: 'hours',
    at: tomorrowAtNine(),
    timezone: '',
    timeoutSecs: '300',
    contextMode: 'group',
    missedRuns: 'run_once',
    ...preset,
  };
}

/** The example the empty list offers. */
export const EXAMPLE: Partial<ScheduleDraft> = {
  name: 'Morning inbox summary',
  prompt: 'Summarise my inbox: what needs an answer today, and what can wait.',
  type: 'cron',
  cron: '0 9 * * 1-5',
};

/** Milliseconds as the largest unit that divides them (90 min stays minutes, 2 h is hours). */
function friendly(ms: number): { every: string; unit: IntervalUnit } {
  for (const unit of ['days', 'hours', 'minutes', 'seconds'] as const)
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0)
      return { every: String(ms / UNIT_MS[unit]), unit };
  return { every: String(ms / 1000), unit: 'seconds' };
}

export function draftOf(s: Schedule): ScheduleDraft {
  const base = newDraft(s.group, {
    name: s.name,
    prompt: s.prompt,
    type: s.schedule.type,
    timezone: s.timezone ?? '',
    timeoutSecs: String(s.containerConfig.timeoutSecs),
    contextMode: s.contextMode,
    missedRuns: s.missedRuns,
  });
  const { type, value } = s.schedule;
  if (type === 'cron') return { ...base, cron: value };
  if (type === 'interval') return { ...base, ...friendly(Number(value)) };
  const at = new Date(value);
  return { ...base, at: Number.isNaN(at.getTime()) ? '' : localInput(at) };
}

/** The timing the core understands: cron text, milliseconds, or an ISO time. */
export function specOf(d: ScheduleDraft): { spec: ScheduleSpec | null; problem: string | null } {
  if (d.type === 'cron') {
    const value = d.cron.trim().replace(/\s+/g, ' ');
    return value
      ? { spec: { type: 'cron', value }, problem: null }
      : { spec: null, problem: 'type a cron expression, e.g. 0 9 * * 1-5' };
  }
  if (d.type === 'interval') {
    const amount = Number(d.every.trim());
    if (d.every.trim() === '' || !Number.isFinite(amount) || amount <= 0)
      return { spec: null, problem: `type how many ${d.unit}` };
    return {
      spec: { type: 'interval', value: String(Math.round(amount * UNIT_MS[d.unit])) },
      problem: null,
    };
  }
  // A datetime-local value has no zone: the browser reads it as local time.
  const at = d.at ? new Date(d.at) : null;
  if (!at || Number.isNaN(at.getTime())) return { spec: null, problem: 'pick a date and time' };
  return { spec: { type: 'once', value: at.toISOString() }, problem: null };
}

export type ScheduleBody = Omit<CreateSchedule, 'enabled'>;

/** What the form sends; what cannot even be read is reported here, the core checks the rest. */
export function bodyOf(d: ScheduleDraft): { body: ScheduleBody | null; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const { spec, problem } = specOf(d);
  if (problem) problems.push({ path: 'schedule.value', message: problem });
  const timeout = Number(d.timeoutSecs.trim());
  if (d.timeoutSecs.trim() === '' || !Number.isInteger(timeout))
    problems.push({
      path: 'containerConfig.timeoutSecs',
      message: 'enter whole seconds (0 = no limit)',
    });
  if (!spec || problems.length) return { body: null, problems };
  return {
    body: {
      name: d.name.trim(),
      group: d.group,
      prompt: d.prompt,
      schedule: spec,
      timezone: d.timezone.trim() || null,
      containerConfig: { timeoutSecs: timeout },
      contextMode: d.contextMode,
      missedRuns: d.missedRuns,
    },
    problems,
  };
}
