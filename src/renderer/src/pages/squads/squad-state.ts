import type {
  Squad,
  SquadLimits,
  SquadState,
  SquadTask,
  SquadTaskState,
} from '../../../../shared/schemas/squads';
import { duration } from '../../format';

export type Tone = 'ok' | 'bad' | 'warn' | 'muted' | 'info';

/** Tones as Cowork gives its sessions: working is blue, waiting grey, done green, trouble red. */
export const SQUAD_STATE: Record<SquadState, { label: string; tone: Tone }> = {
  planning: { label: 'Planning', tone: 'info' },
  planned: { label: 'Plan ready', tone: 'ok' },
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Done', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  timeout: { label: 'Timed out', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
  plan_failed: { label: 'No valid plan', tone: 'bad' },
};

export const TASK_STATE: Record<SquadTaskState, { label: string; tone: Tone }> = {
  pending: { label: 'Pending', tone: 'muted' },
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Done', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  timeout: { label: 'Timed out', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
  skipped: { label: 'Skipped', tone: 'muted' },
};

/** A squad that can still change: it may be steered or cancelled. */
export const isActive = (squad: Pick<Squad, 'state'>) =>
  squad.state === 'planning' || squad.state === 'planned' || squad.state === 'running';

export const taskIsOpen = (task: Pick<SquadTask, 'state'>) =>
  task.state === 'pending' || task.state === 'running';

export function taskCounts(squad: Squad) {
  const count = (...states: SquadTaskState[]) =>
    squad.tasks.filter((t) => states.includes(t.state)).length;
  return {
    total: squad.tasks.length,
    done: count('succeeded'),
    running: count('running'),
    failed: count('failed', 'timeout'),
    skipped: count('cancelled', 'skipped'),
  };
}

/** "3/5 done", with what went wrong after it; the planner's progress before there is a plan. */
export function progressLabel(squad: Squad): string {
  if (squad.tasks.length === 0)
    return squad.state === 'planning'
      ? 'planning…'
      : squad.state === 'plan_failed'
        ? 'no plan'
        : '';
  const c = taskCounts(squad);
  return [
    `${c.done}/${c.total} done`,
    c.running ? `${c.running} running` : null,
    c.failed ? `${c.failed} failed` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** What the squad does now, in a line under its badge. */
export function stateDetail(squad: Squad): string {
  const c = taskCounts(squad);
  switch (squad.state) {
    case 'planning':
      return squad.planner.attempts > 1
        ? `The planner works on attempt ${squad.planner.attempts}…`
        : 'The planner splits the goal into tasks…';
    case 'planned':
      return `${c.total} task${c.total === 1 ? '' : 's'} in ${squad.waves.length} wave${squad.waves.length === 1 ? '' : 's'}: review the plan, then Run it.`;
    case 'running':
      return `${c.running} running · ${c.done} of ${c.total} done`;
    case 'plan_failed':
      return 'Re-plan, or write the plan yourself.';
    default:
      return [`${c.done} of ${c.total} tasks done`, squad.error].filter(Boolean).join(' · ');
  }
}

/** Time from `from` to `to` (or to now, while it lasts). */
export function elapsed(from: string | null, to: string | null, now: number): number | null {
  if (!from) return null;
  return Math.max(0, (to ? new Date(to).getTime() : now) - new Date(from).getTime());
}

/** A duration; one still going is not shown to the millisecond (it moves each second). */
export function timeTaken(ms: number, live: boolean): string {
  if (!live) return duration(ms);
  return ms < 1000 ? '<1 s' : duration(Math.floor(ms / 1000) * 1000);
}

/** A limit in seconds as people say it: "45 s", "5 min", "2 h", else "12 min 30 s". */
export function secs(n: number): string {
  if (n < 60) return `${n} s`;
  if (n % 3600 === 0) return `${n / 3600} h`;
  if (n % 60 === 0) return `${n / 60} min`;
  return duration(n * 1000);
}

export function limitsLine(limits: SquadLimits): string {
  return [
    `${limits.maxConcurrent} at once`,
    `up to ${limits.maxTasks} tasks`,
    `${secs(limits.taskTimeoutSecs)} per task`,
    `${secs(limits.executionTimeoutSecs)} in all`,
  ].join(' · ');
}

export const taskById = (squad: Squad, id: string | null) =>
  id ? (squad.tasks.find((t) => t.id === id) ?? null) : null;
