import { useState } from 'react';
import type { Schedule } from '../../../../../shared/schemas/schedules';
import { issuesOf, type ErrorInfo } from '../../../call';
import { ErrorBox, Spinner } from '../../../components/ui';
import { useApp } from '../../../store';
import { useDraft } from '../../../use-draft';
import type { DraftProblem } from '../groups/group-draft';
import { FieldIssues } from '../groups/FieldIssues';
import { useGroups } from '../groups/groups-store';
import { bodyOf, draftOf, newDraft, type ScheduleDraft } from './schedule-draft';
import { useSchedules } from './schedules-store';
import { TimingFields } from './TimingFields';

/** Where the core reports a problem with each draft field. */
const FIELD_PATH: Record<keyof ScheduleDraft, string> = {
  name: 'name',
  group: 'group',
  prompt: 'prompt',
  type: 'schedule',
  cron: 'schedule',
  every: 'schedule',
  unit: 'schedule',
  at: 'schedule',
  timezone: 'timezone',
  timeoutSecs: 'containerConfig',
  contextMode: 'contextMode',
  missedRuns: 'missedRuns',
};

/** Every problem the core named, by field; a group that does not exist is the group field's. */
function problemsOf(error: ErrorInfo | null): DraftProblem[] {
  if (!error) return [];
  const group = (error.details as { group?: unknown } | undefined)?.group;
  return [
    ...issuesOf(error),
    ...(error.code === 'NOT_FOUND' && typeof group === 'string'
      ? [{ path: 'group', message: error.message }]
      : []),
  ];
}

/** Add a schedule, or change one. Unsaved edits survive live updates of the schedule. */
export function ScheduleForm({
  schedule,
  preset,
  onDone,
}: {
  schedule: Schedule | null;
  preset?: Partial<ScheduleDraft>;
  onDone(): void;
}) {
  const create = useSchedules((s) => s.create);
  const update = useSchedules((s) => s.update);
  const groups = useGroups((s) => s.groups);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const main = groups?.find((g) => g.isMain)?.name ?? 'main';
  const { draft, setDraft, dirty, reset } = useDraft<ScheduleDraft>(
    schedule ? draftOf(schedule) : newDraft(main, preset),
  );
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [local, setLocal] = useState<DraftProblem[]>([]);
  /** Fields changed since the last refusal: what was said about them no longer applies. */
  const [edited, setEdited] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<ScheduleDraft>) => {
    setDraft({ ...draft, ...patch });
    const fields = Object.keys(patch).map((k) => FIELD_PATH[k as keyof ScheduleDraft]);
    setEdited((e) => [...new Set([...e, ...fields])]);
  };
  const current = (p: DraftProblem) =>
    !edited.some((f) => p.path === f || p.path.startsWith(`${f}.`));
  const issues = [...local, ...problemsOf(error)].filter(current);
  // The refusal stays at the bottom until every field it named has been changed.
  const named = problemsOf(error);
  const shownError = named.length === 0 || named.some(current) ? error : null;
  const disabled = !canMutate || saving;
  // The schedule's group is offered even before the list arrives (or if it is gone).
  const groupNames = [...new Set([...(groups ?? []).map((g) => g.name), draft.group])];

  const save = async () => {
    const { body, problems } = bodyOf(draft);
    setLocal(problems);
    setError(null);
    setEdited([]);
    if (!body) return;
    setSaving(true);
    const outcome = schedule ? await update({ id: schedule.id, ...body }) : await create(body);
    setSaving(false);
    if (outcome.ok) onDone();
    else setError(outcome.error);
  };

  return (
    <form
      className="form schedule-form"
      data-testid="schedule-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset className="form-section">
        <legend>Task</legend>
        <div className="form-row">
          <label>
            <span>Name</span>
            <input
              data-testid="schedule-name"
              placeholder="Morning inbox summary"
              value={draft.name}
              disabled={disabled}
              onChange={(e) => set({ name: e.target.value })}
            />
            <FieldIssues issues={issues} path="name" />
          </label>
          <label>
            <span>Group</span>
            <select
              data-testid="schedule-group"
              value={draft.group}
              disabled={disabled}
              onChange={(e) => set({ group: e.target.value })}
            >
              {groupNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <small className="muted">The agent, workspace and folders the run gets.</small>
            <FieldIssues issues={issues} path="group" />
          </label>
        </div>
        <label>
          <span>What the agent should do</span>
          <textarea
            data-testid="schedule-prompt"
            rows={3}
            placeholder="Summarise my inbox: what needs an answer today, and what can wait."
            value={draft.prompt}
            disabled={disabled}
            onChange={(e) => set({ prompt: e.target.value })}
          />
          <FieldIssues issues={issues} path="prompt" />
        </label>
      </fieldset>
      <TimingFields draft={draft} set={set} disabled={disabled} issues={issues} />
      <fieldset className="form-section">
        <legend>Each run</legend>
        <div className="form-row">
          <label>
            <span>Time limit (s)</span>
            <input
              type="number"
              data-testid="schedule-timeout"
              min={0}
              step={1}
              value={draft.timeoutSecs}
              disabled={disabled}
              onChange={(e) => set({ timeoutSecs: e.target.value })}
            />
            <small className="muted">
              A run still going after this ends as timed out; 0 = none.
            </small>
            <FieldIssues issues={issues} path="containerConfig" />
          </label>
          <label>
            <span>Conversation</span>
            <select
              data-testid="schedule-context"
              value={draft.contextMode}
              disabled={disabled}
              onChange={(e) => set({ contextMode: e.target.value as ScheduleDraft['contextMode'] })}
            >
              <option value="group">Continue one session</option>
              <option value="isolated">A new session each run</option>
            </select>
            <small className="muted">
              {draft.contextMode === 'group'
                ? 'Each run picks up where the last one ended.'
                : 'Every run starts with a clean slate.'}
            </small>
            <FieldIssues issues={issues} path="contextMode" />
          </label>
          <label>
            <span>Missed runs</span>
            <select
              data-testid="schedule-missed"
              value={draft.missedRuns}
              disabled={disabled}
              onChange={(e) => set({ missedRuns: e.target.value as ScheduleDraft['missedRuns'] })}
            >
              <option value="run_once">Run once when aigo starts again</option>
              <option value="skip">Skip them</option>
            </select>
            <small className="muted">Runs that fell while aigo was not running.</small>
            <FieldIssues issues={issues} path="missedRuns" />
          </label>
        </div>
      </fieldset>
      <ErrorBox error={shownError} testId="schedule-error" />
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          data-testid="schedule-save"
          disabled={disabled || (schedule !== null && !dirty)}
        >
          {saving ? <Spinner /> : null}
          {schedule ? 'Save schedule' : 'Add schedule'}
        </button>
        {schedule && dirty ? (
          <button type="button" className="button ghost" onClick={reset} disabled={saving}>
            Undo changes
          </button>
        ) : null}
        <button type="button" className="button ghost" onClick={onDone} disabled={saving}>
          {schedule ? 'Close' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}
