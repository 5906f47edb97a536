import { Card, SaveOrUndo } from '../../../components/ui';
import { useApp } from '../../../store';
import { useDraft } from '../../../use-draft';
import type { Settings } from '../../../../../shared/schemas/settings';

type SquadSettings = Settings['squads'];

const NUMBERS: {
  key: Exclude<keyof SquadSettings, 'onRestart'>;
  label: string;
  min: number;
  max: number;
}[] = [
  { key: 'maxConcurrent', label: 'Tasks of one squad at once', min: 1, max: 16 },
  { key: 'maxTasks', label: 'Tasks a plan may have', min: 1, max: 50 },
  { key: 'taskTimeoutSecs', label: 'Task time limit (s)', min: 10, max: 86_400 },
  { key: 'executionTimeoutSecs', label: 'Squad time limit (s)', min: 30, max: 604_800 },
];

/** Squad mode's defaults (`squads.*`); a squad can ask for its own limits when it starts. */
export function SquadDefaultsCard() {
  const saved = useApp((s) => s.settings?.squads);
  const sessionsAtOnce = useApp((s) => s.settings?.sessions.maxConcurrent);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const fromSaved = Object.fromEntries(
    NUMBERS.map(({ key }) => [key, String(saved?.[key] ?? '')]),
  ) as Record<(typeof NUMBERS)[number]['key'], string>;
  const { draft, setDraft, dirty, reset } = useDraft({
    ...fromSaved,
    onRestart: saved?.onRestart ?? 'fail',
  });
  if (!saved) return null;
  return (
    <Card title="Squads" testId="squad-defaults-card">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          // The core checks each range and names the field it refuses.
          void update({
            squads: {
              ...Object.fromEntries(NUMBERS.map(({ key }) => [key, Number(draft[key])])),
              onRestart: draft.onRestart,
            },
          });
        }}
      >
        <div className="form-row">
          {NUMBERS.map(({ key, label, min, max }) => (
            <label key={key}>
              <span>{label}</span>
              <input
                type="number"
                min={min}
                max={max}
                data-testid={`squad-default-${key}`}
                value={draft[key]}
                onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
                disabled={!canMutate}
              />
            </label>
          ))}
          <label>
            <span>After a restart</span>
            <select
              data-testid="squad-default-onRestart"
              value={draft.onRestart}
              onChange={(e) =>
                setDraft({ ...draft, onRestart: e.target.value as SquadSettings['onRestart'] })
              }
              disabled={!canMutate}
            >
              <option value="fail">
                Mark interrupted tasks failed (skip what depends on them)
              </option>
              <option value="rerun">Run interrupted tasks again</option>
            </select>
          </label>
        </div>
        <div className="form-actions">
          <SaveOrUndo dirty={dirty} canSave={canMutate} onUndo={reset} />
        </div>
      </form>
      <small className="muted">
        A squad&apos;s tasks also wait for a free slot of &quot;Agents at once&quot; (
        {sessionsAtOnce ?? '?'} now): more tasks at once than that only queue. Defaults: 3 tasks at
        once, 20 per plan, 300 s per task, 1,800 s per squad.
      </small>
    </Card>
  );
}
