import { AppError } from '../../../shared/errors';
import type { SquadTask } from '../../../shared/schemas/squads';
import {
  FINAL_SQUAD_STATES,
  isWorking,
  type SquadEntry,
  type SquadServiceDeps,
} from './squad-types';

/** Notes go into every later task's prompt: a bound keeps those prompts within reason. */
const MAX_STEERING = 100;
const MAX_STEERING_CHARS = 20_000;

/**
 * A steering note: kept in the squad's notes (the planner's state: re-plans and tasks yet to
 * start get it) and sent now to the planner while it works and to every running task — or to
 * one task only.
 */
export async function steer(
  deps: Pick<SquadServiceDeps, 'sessions' | 'logger'>,
  entry: SquadEntry,
  text: string,
  task: SquadTask | null,
): Promise<void> {
  const id = entry.squad.id;
  const { squad } = entry;
  if (FINAL_SQUAD_STATES.has(squad.state))
    throw new AppError('CONFLICT', `Squad ${id} has ended (${squad.state}); nothing to steer.`);
  if (task && task.state !== 'pending' && task.state !== 'running')
    throw new AppError(
      'CONFLICT',
      `Task "${task.id}" has ended (${task.state}); steer a task that waits or runs.`,
    );
  const used = squad.steering.reduce((n, note) => n + note.text.length, 0);
  if (squad.steering.length >= MAX_STEERING || used + text.length > MAX_STEERING_CHARS)
    throw new AppError(
      'CONFLICT',
      `Squad ${id} has as many steering notes as it keeps (${MAX_STEERING} notes or ${MAX_STEERING_CHARS.toLocaleString('en')} characters: each goes into every later task's prompt). Steer one task, or cancel and start a squad with a clearer goal.`,
    );
  squad.steering.push({ time: new Date().toISOString(), text, task: task?.id ?? null });
  const targets = task
    ? [task.session]
    : [
        squad.state === 'planning' ? squad.planner.session : null,
        ...squad.tasks.filter((t) => t.state === 'running').map((t) => t.session),
      ];
  for (const session of targets)
    if (session && isWorking(deps.sessions.peek(session)))
      await deps.sessions.message(session, text).catch((error: unknown) => {
        // Stopping right now: the note stays in the squad's steering for what comes next.
        deps.logger.info({ err: error, session }, 'Steering not delivered to a session');
      });
}
