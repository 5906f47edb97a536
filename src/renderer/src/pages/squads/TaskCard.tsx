import type { Ref } from 'react';
import type { Squad, SquadTask } from '../../../../shared/schemas/squads';
import { Badge, Spinner } from '../../components/ui';
import { squadHref } from '../../route';
import { elapsed, TASK_STATE, timeTaken } from './squad-state';

/** One task in the wave graph: its state at a glance; a click opens its detail. */
export function TaskCard({
  squad,
  task,
  selected,
  now,
  cardRef,
}: {
  squad: Squad;
  task: SquadTask;
  selected: boolean;
  now: number;
  cardRef: Ref<HTMLAnchorElement>;
}) {
  const state = TASK_STATE[task.state];
  // How long it ran; `now` moves on every second while it runs.
  const ms = elapsed(task.startedAt, task.endedAt, now);
  const troubled = task.state !== 'succeeded' && task.state !== 'running' && task.reason;
  return (
    <a
      ref={cardRef}
      href={squadHref(squad.id, task.id)}
      className={`squad-task tone-${state.tone}${selected ? ' selected' : ''}`}
      data-testid="squad-task"
      data-task={task.id}
      data-state={task.state}
      aria-current={selected ? 'true' : undefined}
      title={`${task.title} (${task.id})`}
    >
      <span className="squad-task-head">
        <code className="squad-task-id">{task.id}</code>
        <Badge tone={state.tone}>{state.label}</Badge>
        {task.state === 'running' ? <Spinner /> : null}
        {ms !== null ? (
          <span className="squad-task-time muted">{timeTaken(ms, !task.endedAt)}</span>
        ) : null}
      </span>
      <span className="squad-task-title">{task.title}</span>
      {task.dependsOn.length > 0 ? (
        <span className="squad-task-needs muted">needs: {task.dependsOn.join(', ')}</span>
      ) : null}
      {troubled ? <span className="squad-task-reason">{task.reason}</span> : null}
    </a>
  );
}
