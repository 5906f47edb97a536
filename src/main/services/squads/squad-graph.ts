import type { Squad, SquadTask, SquadTaskState } from '../../../shared/schemas/squads';

export const FINAL_TASK_STATES: ReadonlySet<SquadTaskState> = new Set([
  'succeeded',
  'failed',
  'timeout',
  'cancelled',
  'skipped',
]);

/**
 * Marks skipped every pending task with a dependency that ended without success, and so on down
 * the graph (a skipped task skips its own dependents). Returns the tasks it skipped.
 */
export function skipBlocked(squad: Squad): SquadTask[] {
  const byId = new Map(squad.tasks.map((t) => [t.id, t]));
  const skipped: SquadTask[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const task of squad.tasks) {
      if (task.state !== 'pending') continue;
      const blocker = task.dependsOn
        .map((id) => byId.get(id))
        .find((d) => d && FINAL_TASK_STATES.has(d.state) && d.state !== 'succeeded');
      if (!blocker) continue;
      task.state = 'skipped';
      task.reason = `Skipped: "${blocker.id}" ${blocker.state === 'skipped' ? 'was skipped' : blocker.state === 'timeout' ? 'timed out' : blocker.state === 'cancelled' ? 'was cancelled' : 'failed'}.`;
      task.endedAt = new Date().toISOString();
      skipped.push(task);
      changed = true;
    }
  }
  return skipped;
}

/** Pending tasks whose dependencies all succeeded, wave by wave. */
export function readyTasks(squad: Squad): SquadTask[] {
  const byId = new Map(squad.tasks.map((t) => [t.id, t]));
  return squad.waves
    .flat()
    .map((id) => byId.get(id))
    .filter(
      (t): t is SquadTask =>
        !!t &&
        t.state === 'pending' &&
        t.dependsOn.every((d) => byId.get(d)?.state === 'succeeded'),
    );
}

/** Every pending task becomes skipped with this reason (the squad stops). */
export function skipPending(squad: Squad, reason: string): void {
  for (const task of squad.tasks)
    if (task.state === 'pending') {
      task.state = 'skipped';
      task.reason = reason;
      task.endedAt = new Date().toISOString();
    }
}

export const running = (squad: Squad) => squad.tasks.filter((t) => t.state === 'running');
