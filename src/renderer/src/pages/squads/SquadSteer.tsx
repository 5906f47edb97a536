import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import type { ErrorInfo } from '../../call';
import { ErrorBox, Spinner } from '../../components/ui';
import { clock } from '../../format';
import { useApp } from '../../store';
import { isSubmitKey, SUBMIT_HINT } from '../cowork/Composer';
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
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const disabled = !canMutate || busy || text.trim() === '';

  const submit = async () => {
    if (disabled) return;
    setBusy(true);
    setError(null);
    const outcome = await message(squad.id, text, task);
    setBusy(false);
    if (outcome.ok) setText('');
    else setError(outcome.error);
  };

  const placeholder = task
    ? 'Steer this task: its agent reads this before its next step (or when it starts)'
    : squad.state === 'planning'
      ? 'Tell the planner something: it reads this before its next step'
      : 'Steer the squad: running tasks read this now, tasks to come when they start';
  return (
    <form
      className="steer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <ErrorBox error={error} testId={`${testId}-error`} />
      <div className="steer-row">
        <textarea
          data-testid={`${testId}-input`}
          aria-label={task ? `Message to task ${task}` : 'Message to the squad'}
          rows={2}
          placeholder={placeholder}
          value={text}
          disabled={!canMutate}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (isSubmitKey(e)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          className="button primary"
          data-testid={`${testId}-send`}
          disabled={disabled}
          title={`${SUBMIT_HINT} sends`}
        >
          {busy ? <Spinner /> : null} Send
        </button>
      </div>
    </form>
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
