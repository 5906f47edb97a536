import { Card, SaveOrUndo } from '../../components/ui';
import { useApp } from '../../store';
import { useDraft } from '../../use-draft';

/** How much audit history is kept (`audit.retentionMaxMb`, `audit.retentionDays`). */
export function AuditRetentionCard() {
  const saved = useApp((s) => s.settings?.audit);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft({
    maxMb: String(saved?.retentionMaxMb ?? ''),
    days: String(saved?.retentionDays ?? ''),
  });
  if (!saved) return null;
  return (
    <Card title="Audit log retention" testId="audit-retention">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          // The core validates (10–100,000 MB, 1–3,650 days) and names the field if it refuses.
          void update({
            audit: { retentionMaxMb: Number(draft.maxMb), retentionDays: Number(draft.days) },
          });
        }}
      >
        <div className="form-row">
          <label>
            <span>Keep at most (MiB)</span>
            <input
              type="number"
              min={10}
              max={100_000}
              data-testid="audit-retention-mb"
              value={draft.maxMb}
              onChange={(e) => setDraft({ ...draft, maxMb: e.target.value })}
              disabled={!canMutate}
            />
          </label>
          <label>
            <span>Keep for (days)</span>
            <input
              type="number"
              min={1}
              max={3_650}
              data-testid="audit-retention-days"
              value={draft.days}
              onChange={(e) => setDraft({ ...draft, days: e.target.value })}
              disabled={!canMutate}
            />
          </label>
        </div>
        <small className="muted">
          The log rotates at 5 MiB. When all audit files together pass the size, or a rotated file
          is older than the days, the oldest rotated files are deleted (an info entry says how
          many); the current file is never deleted. Applies at once. Default 200 MiB and 90 days.
        </small>
        <div className="form-actions">
          <SaveOrUndo dirty={dirty} canSave={canMutate} onUndo={reset} />
        </div>
      </form>
    </Card>
  );
}
