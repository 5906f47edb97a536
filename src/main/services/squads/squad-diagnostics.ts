import type { Diagnostic } from '../../../shared/schemas/diagnostics';
import type { Squad } from '../../../shared/schemas/squads';
import { WAITING_TO_START } from './squad-types';

/** Squad problems Health and `aigo doctor` show: tasks that can only queue, plans left waiting. */
export function squadDiagnostics(
  squads: Squad[],
  limits: { squadTasksAtOnce: number; agentsAtOnce: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const running = squads.filter((s) => s.state === 'running');
  const wide = running.filter((s) => s.limits.maxConcurrent > limits.agentsAtOnce);
  if (limits.squadTasksAtOnce > limits.agentsAtOnce || wide.length)
    out.push({
      id: 'squads-concurrency',
      area: 'squads',
      status: 'info',
      title: 'Squad tasks queue for agent slots',
      detail: `Squads may run ${Math.max(limits.squadTasksAtOnce, ...wide.map((s) => s.limits.maxConcurrent))} tasks at once, but only ${limits.agentsAtOnce} agent containers run at once: the rest wait in the queue, and count against their squad's time limit meanwhile.`,
      fix: [
        `Raise "Agents at once" to at least ${limits.squadTasksAtOnce} (Container > Groups), if this computer has the memory, or lower "Tasks of one squad at once".`,
      ],
      route: 'container/groups',
    });
  const stuck = running.filter((s) => s.error?.startsWith(WAITING_TO_START));
  if (stuck.length)
    out.push({
      id: 'squads-blocked',
      area: 'squads',
      status: 'warn',
      title: `${stuck.length} running squad${stuck.length === 1 ? '' : 's'} cannot start tasks`,
      detail: (stuck[0]?.error ?? '').slice(WAITING_TO_START.length),
      fix: [
        'Solve the problem named above (Health shows the runtime and the image); the tasks start by themselves once it is solved, within their squad’s time limit.',
      ],
      route: 'squads',
    });
  const waiting = squads.filter((s) => s.state === 'planned' || s.state === 'plan_failed');
  if (waiting.length)
    out.push({
      id: 'squads-waiting',
      area: 'squads',
      status: 'info',
      title: `${waiting.length} squad plan${waiting.length === 1 ? '' : 's'} wait${waiting.length === 1 ? 's' : ''} for you`,
      detail: waiting
        .slice(0, 5)
        .map(
          (s) =>
            `"${s.goal.replace(/\s+/g, ' ').slice(0, 60)}": ${s.state === 'planned' ? 'planned, not run' : 'the planner gave no valid plan'}`,
        )
        .join('; '),
      fix: ['Open Squad, then run, edit or re-plan each one (or cancel it).'],
      route: 'squads',
    });
  return out;
}
