import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import type { ErrorInfo, Outcome } from '../../call';
import { ErrorBox, Spinner } from '../../components/ui';
import { useApp } from '../../store';
import { isSubmitKey } from '../cowork/Composer';
import { useSquads } from './squads-store';

/** A call whose refusal is shown next to its button. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const act = async (work: () => Promise<Outcome<Squad>>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    const outcome = await work();
    setBusy(false);
    if (!outcome.ok) setError(outcome.error);
    return outcome.ok;
  };
  return { busy, error, act };
}

function ReplanForm({ squad, onDone }: { squad: Squad; onDone(): void }) {
  const replan = useSquads((s) => s.replan);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [feedback, setFeedback] = useState('');
  const { busy, error, act } = useAction();
  const submit = async () => {
    if (!canMutate || busy) return;
    if (await act(() => replan(squad.id, feedback))) onDone();
  };
  return (
    <form
      className="form squad-replan"
      data-testid="squad-replan-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        <span>What should the new plan do differently? (optional)</span>
        <textarea
          data-testid="squad-replan-feedback"
          rows={3}
          autoFocus
          placeholder="e.g. Fewer tasks: do the research in one task, and write the report in another"
          value={feedback}
          onChange={(e) => setFeedback(e.target.value)}
          onKeyDown={(e) => {
            if (isSubmitKey(e)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
      </label>
      <ErrorBox error={error} testId="squad-replan-error" />
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          data-testid="squad-replan-send"
          disabled={!canMutate || busy}
        >
          {busy ? <Spinner /> : null} Ask for a new plan
        </button>
        <button type="button" className="button ghost" onClick={onDone} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Under a plan that waits for the user: run it, edit it, or have the planner try again. With no
 * valid plan, the last two remain.
 */
export function PlanActions({ squad, onEdit }: { squad: Squad; onEdit(): void }) {
  const run = useSquads((s) => s.run);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [replanning, setReplanning] = useState(false);
  const { busy, error, act } = useAction();
  const planned = squad.state === 'planned';
  return (
    <section className="squad-panel squad-plan-actions" data-testid="squad-plan-actions">
      <div className="form-actions">
        {planned ? (
          <button
            type="button"
            className="button primary"
            data-testid="squad-run"
            disabled={!canMutate || busy}
            onClick={() => void act(() => run(squad.id))}
            title="The tasks start in waves; the squad's execution limit counts from now"
          >
            {busy ? <Spinner /> : null} Run the plan
          </button>
        ) : null}
        <button
          type="button"
          className="button"
          data-testid="squad-edit"
          disabled={!canMutate || busy}
          onClick={onEdit}
        >
          {squad.tasks.length > 0 ? 'Edit plan' : 'Write the plan yourself'}
        </button>
        {!replanning ? (
          <button
            type="button"
            className={`button${planned ? ' ghost' : ' primary'}`}
            data-testid="squad-replan"
            disabled={!canMutate || busy}
            onClick={() => setReplanning(true)}
          >
            Re-plan…
          </button>
        ) : null}
        {!canMutate ? (
          <span className="muted">Read-only view: open the link aigo printed to run it.</span>
        ) : null}
      </div>
      <ErrorBox error={error} testId="squad-run-error" />
      {replanning ? <ReplanForm squad={squad} onDone={() => setReplanning(false)} /> : null}
    </section>
  );
}
