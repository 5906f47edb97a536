import { GroupSelect } from '../../components/GroupSelect';
import { useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../call';
import { FieldError, FormError, useRevealError } from '../../components/form-errors';
import { Spinner } from '../../components/ui';
import { navigate, squadHref } from '../../route';
import { useApp } from '../../store';
import { findGroup, useGroups } from '../container/groups/groups-store';
import { isSubmitKey, SUBMIT_HINT } from '../cowork/Composer';
import { Readiness } from '../cowork/Readiness';
import { LIMIT_FIELDS, useSquads, type SquadDraft } from './squads-store';

type LimitField = (typeof LIMIT_FIELDS)[number];

const LIMITS: { field: LimitField; label: string; testId: string; min: number; hint: string }[] = [
  {
    field: 'maxConcurrent',
    label: 'Max concurrent',
    testId: 'squad-max-concurrent',
    min: 1,
    hint: 'tasks at once',
  },
  { field: 'maxTasks', label: 'Max tasks', testId: 'squad-max-tasks', min: 1, hint: 'in the plan' },
  {
    field: 'taskTimeoutSecs',
    label: 'Task timeout (s)',
    testId: 'squad-task-timeout',
    min: 10,
    hint: 'per task',
  },
  {
    field: 'executionTimeoutSecs',
    label: 'Execution timeout (s)',
    testId: 'squad-exec-timeout',
    min: 30,
    hint: 'for the whole run',
  },
];

const FIELDS = ['group', 'goal', ...LIMIT_FIELDS];

/** A new squad: the group, the goal, optional limits, and whether the plan runs at once. */
export function NewSquadForm() {
  const groups = useGroups((s) => s.groups);
  const draft = useSquads((s) => s.draft);
  const setDraft = useSquads((s) => s.setDraft);
  const create = useSquads((s) => s.create);
  const defaults = useApp((s) => s.settings?.squads);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useRevealError(form, error);
  const selected = (draft.group ? findGroup(groups, draft.group) : undefined) ?? groups?.[0];
  // A group deleted meanwhile (or none chosen yet) falls back to main.
  useEffect(() => {
    if (groups && selected && selected.id !== draft.group) setDraft({ group: selected.id });
  }, [groups, selected, draft.group, setDraft]);

  const disabled = !canMutate || busy || draft.goal.trim() === '';
  const submit = async () => {
    if (disabled) return;
    setBusy(true);
    setError(null);
    const outcome = await create();
    setBusy(false);
    if (outcome.ok) navigate(squadHref(outcome.value.id));
    else setError(outcome.error);
  };
  const set = (patch: Partial<SquadDraft>) => setDraft(patch);

  return (
    <div className="composer" data-testid="squad-new">
      <h1>What should the squad achieve?</h1>
      <p className="lead">
        A planner agent splits the goal into tasks and orders them by what each needs. You review
        the plan, then agents run the tasks in waves, side by side where they can, each in its own
        container.
      </p>
      <Readiness />
      <form
        ref={form}
        className="form composer-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          <span>Group</span>
          <GroupSelect
            name="group"
            testId="squad-group"
            groups={groups ?? null}
            value={selected?.id ?? ''}
            onChange={(group) => set({ group: group })}
          />
          <small className="muted">Every task works in this group’s workspace.</small>
          <FieldError error={error} name="group" />
        </label>
        <label>
          <span>Goal</span>
          <textarea
            name="goal"
            data-testid="squad-goal"
            rows={6}
            autoFocus
            placeholder="e.g. Compare the three logging libraries in the workspace’s package.json, benchmark each, and write a recommendation to REPORT.md"
            value={draft.goal}
            onChange={(e) => set({ goal: e.target.value })}
            onKeyDown={(e) => {
              if (isSubmitKey(e)) {
                e.preventDefault();
                void submit();
              }
            }}
          />
          <FieldError error={error} name="goal" />
        </label>
        <fieldset className="form-section">
          <legend>Limits (empty = the default from settings)</legend>
          <div className="form-row squad-limits">
            {LIMITS.map((l) => (
              <label key={l.field}>
                <span>{l.label}</span>
                <input
                  type="number"
                  name={l.field}
                  data-testid={l.testId}
                  min={l.min}
                  step={1}
                  placeholder={defaults ? String(defaults[l.field]) : ''}
                  value={draft[l.field]}
                  onChange={(e) => set({ [l.field]: e.target.value })}
                />
                <small className="muted">{l.hint}</small>
                <FieldError error={error} name={l.field} />
              </label>
            ))}
          </div>
        </fieldset>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="squad-autorun"
            checked={draft.autoRun}
            onChange={(e) => set({ autoRun: e.target.checked })}
          />
          Run the plan as soon as it is ready
        </label>
        <FormError error={error} fields={FIELDS} testId="squad-create-error" />
        <div className="form-actions composer-actions">
          <button
            type="submit"
            className="button primary"
            data-testid="squad-create"
            disabled={disabled}
          >
            {busy ? <Spinner /> : null} {draft.autoRun ? 'Plan and run' : 'Plan'}
          </button>
          <span className="muted">{SUBMIT_HINT} starts</span>
          {!canMutate ? (
            <span className="muted">
              Read-only view: open the link aigo printed to start squads.
            </span>
          ) : null}
        </div>
      </form>
    </div>
  );
}
