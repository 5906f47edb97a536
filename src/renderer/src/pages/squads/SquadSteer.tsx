import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import type { ErrorInfo } from '../../call';
import { MessageBox } from '../../components/MessageBox';
import { clock } from '../../format';
import { useApp } from '../../store';
import { isActive } from './squad-state';
import { useSquads } from './squads-store';

/** A note for the whole squad (the planner, every running task, the tasks to come) or one task. */
export function SquadSteerBox({
  squad,
  task,
  testId,
}: {
  squad: Squad;
  task?: string;
  testId: string;
}) {
  const message = useSquads((s) => s.message);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  return (
    <MessageBox
      testId={testId}
      ariaLabel={task ? `Message to task ${task}` : 'Message to the squad'}
      placeholder={
        task
          ? 'Steer this task: its agent reads this before its next step (or when it starts)'
          : squad.state === 'planning'
            ? 'Tell the planner something: it reads this before its next step'
            : 'Steer the squad: running tasks read this now, tasks to come when they start'
      }
      canEdit={canMutate}
      busy={busy}
      error={error}
      sendLabel="Send"
      send={async (text) => {
        setBusy(true);
        setError(null);
        const outcome = await message(squad.id, text, task);
        setBusy(false);
        if (!outcome.ok) setError(outcome.error);
        return outcome.ok;
      }}
    />
  );
}

/** The notes sent so far (each reaches the tasks that start after it too), and a box for more. */
export function SquadSteer({ squad }: { squad: Squad }) {
  const active = isActive(squad);
  if (!active && squad.steering.length === 0) return null;
  return (
    <section className="squad-panel squad-steering" aria-label="Steering">
      <div className="field-label">Steering</div>
      {squad.steering.length > 0 ? (
        <ol className="squad-steering-list" data-testid="squad-steering">
          {squad.steering.map((s, i) => (
            <li key={`${s.time}-${i}`}>
              <time className="muted" dateTime={s.time}>
                {clock(s.time)}
              </time>
              <span className="muted">{s.task ? `to ${s.task}` : 'to all'}</span>
              <span className="squad-steering-text">{s.text}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted small">
          No notes yet. What you send here reaches the planner while it plans, every task that runs,
          and each task that starts later.
        </p>
      )}
      {active ? <SquadSteerBox squad={squad} testId="squad-steer" /> : null}
    </section>
  );
}
