import { Card, SaveOrUndo } from '../../../components/ui';
import { useApp } from '../../../store';
import { useDraft } from '../../../use-draft';

/** `sessions.maxConcurrent`: how many agent containers run at once; more wait in the queue. */
export function ConcurrencyCard() {
  const saved = useApp((s) => s.settings?.sessions.maxConcurrent);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft({ value: String(saved ?? '') });
  if (saved === undefined) return null;
  return (
    <Card title="Agents at once" testId="max-concurrent-card">
      <form
        className="form inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          // The core checks the range (1–32) and names the field if it refuses.
          void update({ sessions: { maxConcurrent: Number(draft.value) } });
        }}
      >
        <label>
          <span>Containers running at once</span>
          <input
            type="number"
            min={1}
            max={32}
            data-testid="max-concurrent"
            value={draft.value}
            onChange={(e) => setDraft({ value: e.target.value })}
            disabled={!canMutate}
          />
        </label>
        <SaveOrUndo dirty={dirty} canSave={canMutate} onUndo={reset} />
      </form>
      <small className="muted">
        More sessions wait in a queue that is fair across groups: the group that started least
        recently goes next. Each container takes its group&apos;s memory and CPUs. Default 3.
      </small>
    </Card>
  );
}
