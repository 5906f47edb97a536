import { useRef, useState } from 'react';
import type { PlanTask, Squad } from '../../../../shared/schemas/squads';
import type { ErrorInfo } from '../../call';
import { fieldIssue, FormError, useRevealError } from '../../components/form-errors';
import { Spinner } from '../../components/ui';
import { useApp } from '../../store';
import { useSquads } from './squads-store';

/** A task as edited: `dependsOn` as the comma separated text the user types. */
interface Row {
  key: number;
  id: string;
  title: string;
  prompt: string;
  dependsOn: string;
}

let keys = 0;
const rowOf = (t: Pick<PlanTask, 'id' | 'title' | 'prompt' | 'dependsOn'>): Row => ({
  key: ++keys,
  id: t.id,
  title: t.title,
  prompt: t.prompt,
  dependsOn: t.dependsOn.join(', '),
});

const taskOf = (r: Row): PlanTask => ({
  id: r.id.trim(),
  title: r.title,
  prompt: r.prompt,
  dependsOn: r.dependsOn
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean),
});

/** An id not used yet: t1, t2, … */
function freshId(rows: Row[]): string {
  const used = new Set(rows.map((r) => r.id.trim()));
  let n = rows.length + 1;
  while (used.has(`t${n}`)) n++;
  return `t${n}`;
}

/** The plan checker's own list of what is wrong (dependencies, cycles), when it gives one. */
function planProblems(error: ErrorInfo | null): string[] {
  const problems = (error?.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
}

const FIELDS = ['id', 'title', 'prompt', 'dependsOn'] as const;
type Field = (typeof FIELDS)[number];

/** The plan's tasks as a form: change, add or remove tasks; the core checks it as a whole. */
export function PlanEditor({ squad, onDone }: { squad: Squad; onDone(): void }) {
  const updatePlan = useSquads((s) => s.updatePlan);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [rows, setRows] = useState<Row[]>(() =>
    squad.tasks.length > 0
      ? squad.tasks.map(rowOf)
      : [rowOf({ id: 't1', title: '', prompt: '', dependsOn: [] })],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useRevealError(form, error);

  const edit = (key: number, patch: Partial<Row>) =>
    setRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  // Issues name tasks by position: once rows move, the old words point at the wrong ones.
  const reshape = (next: Row[]) => {
    setRows(next);
    setError(null);
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    const outcome = await updatePlan(squad.id, rows.map(taskOf));
    setBusy(false);
    if (outcome.ok) onDone();
    else setError(outcome.error);
  };
  const issue = (i: number, field: Field) => fieldIssue(error, `tasks.${i}.${field}`);
  const problems = planProblems(error);
  const disabled = !canMutate || busy;

  const input = (row: Row, i: number, field: Field, label: string, placeholder: string) => (
    <label className={`plan-field plan-${field}`}>
      <span>{label}</span>
      {field === 'prompt' ? (
        <textarea
          name={`tasks.${i}.prompt`}
          data-testid="plan-task-prompt"
          rows={3}
          placeholder={placeholder}
          value={row.prompt}
          disabled={disabled}
          onChange={(e) => edit(row.key, { prompt: e.target.value })}
        />
      ) : (
        <input
          name={`tasks.${i}.${field}`}
          data-testid={`plan-task-${field === 'dependsOn' ? 'deps' : field}`}
          placeholder={placeholder}
          value={row[field]}
          disabled={disabled}
          onChange={(e) => edit(row.key, { [field]: e.target.value })}
        />
      )}
      {issue(i, field) ? <small className="field-error">{issue(i, field)}</small> : null}
    </label>
  );

  return (
    <form
      ref={form}
      className="form squad-panel plan-editor"
      data-testid="plan-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <p className="muted small">
        A task starts once every task it needs has succeeded; tasks that need nothing of each other
        run side by side. List what a task needs by id, separated by commas.
      </p>
      <ol className="plan-rows">
        {rows.map((row, i) => (
          <li key={row.key} className="plan-row" data-testid="plan-task">
            <div className="form-row">
              {input(row, i, 'id', 'Id', 'research')}
              {input(row, i, 'title', 'Title', 'Research the options')}
              {input(row, i, 'dependsOn', 'Needs', 'e.g. a, b')}
              <button
                type="button"
                className="button small ghost plan-remove"
                data-testid="plan-task-remove"
                aria-label={`Remove task ${row.id}`}
                disabled={disabled || rows.length === 1}
                onClick={() => reshape(rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            </div>
            {input(row, i, 'prompt', 'Prompt', 'What the agent running this task should do')}
          </li>
        ))}
      </ol>
      {problems.length > 0 ? (
        <div className="problem error-box" role="alert" data-testid="plan-error">
          <div>The plan was not saved:</div>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : (
        <FormError
          error={error}
          fields={rows.flatMap((_, i) => FIELDS.map((f) => `tasks.${i}.${f}`))}
          testId="plan-error"
        />
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          data-testid="plan-add"
          disabled={disabled}
          onClick={() =>
            reshape([...rows, rowOf({ id: freshId(rows), title: '', prompt: '', dependsOn: [] })])
          }
        >
          + Add task
        </button>
        <button
          type="submit"
          className="button primary"
          data-testid="plan-save"
          disabled={disabled}
        >
          {busy ? <Spinner /> : null} Save plan
        </button>
        <button type="button" className="button ghost" onClick={onDone} disabled={busy}>
          Discard changes
        </button>
      </div>
    </form>
  );
}
