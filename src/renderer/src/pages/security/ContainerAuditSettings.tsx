import { SaveOrUndo, Toggle } from '../../components/ui';
import { useApp } from '../../store';
import { useDraft } from '../../use-draft';

/** How often the audit runs (`security.auditIntervalMinutes`) and what it does (`stopNonCompliant`). */
export function ContainerAuditSettings() {
  const saved = useApp((s) => s.settings?.security);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft({
    interval: String(saved?.auditIntervalMinutes ?? ''),
    stop: saved?.stopNonCompliant ?? true,
  });
  if (!saved) return null;
  return (
    <form
      className="form"
      data-testid="container-audit-settings"
      onSubmit={(e) => {
        e.preventDefault();
        // The core validates (1–1,440 minutes) and names the field if it refuses.
        void update({
          security: { auditIntervalMinutes: Number(draft.interval), stopNonCompliant: draft.stop },
        });
      }}
    >
      <fieldset className="form-section">
        <legend>Settings</legend>
        <div className="form-row align-end">
          <label className="audit-interval">
            <span>Audit every (minutes)</span>
            <input
              type="number"
              min={1}
              max={1440}
              required
              data-testid="container-audit-interval"
              value={draft.interval}
              onChange={(e) => setDraft({ ...draft, interval: e.target.value })}
              disabled={!canMutate}
            />
          </label>
          <Toggle
            label="Stop a container that fails the audit"
            testId="container-audit-stop"
            checked={draft.stop}
            disabled={!canMutate}
            onChange={(stop) => setDraft({ ...draft, stop })}
          />
        </div>
        <small className="muted">
          Either way a failing container is written to the audit log as a violation. With stopping
          off it keeps running, flagged. Only this aigo&apos;s own containers are ever stopped; one
          another aigo started is reported. A new interval takes effect after the next audit (Run
          audit now applies it at once). Default: every 5 minutes, stopping on.
        </small>
        <div className="form-actions">
          <SaveOrUndo
            dirty={dirty}
            canSave={canMutate}
            onUndo={reset}
            saveTestId="container-audit-save"
          />
        </div>
      </fieldset>
    </form>
  );
}
