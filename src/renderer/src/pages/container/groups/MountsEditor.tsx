import type { MountDraft } from './group-draft';
import { FieldIssues } from './FieldIssues';
import type { DraftProblem } from './group-draft';

/** Extra folders under /workspace/extra/: each checked by mount security when saved. */
export function MountsEditor({
  mounts,
  onChange,
  pickFolder,
  disabled,
  issues,
}: {
  mounts: MountDraft[];
  onChange(next: MountDraft[]): void;
  pickFolder: (() => Promise<string | null>) | null;
  disabled: boolean;
  issues: DraftProblem[];
}) {
  const set = (index: number, patch: Partial<MountDraft>) =>
    onChange(mounts.map((m, i) => (i === index ? { ...m, ...patch } : m)));
  return (
    <div className="mounts-editor">
      <div className="field-label-strong">Extra folders</div>
      {mounts.length === 0 ? (
        <small className="muted">
          None. The agent sees only its workspace. Add a folder to show it at
          /workspace/extra/&lt;name&gt;.
        </small>
      ) : (
        <ul className="rows">
          {mounts.map((m, index) => (
            <li key={index} className="row mount-row" data-testid="group-mount">
              <div className="input-with-button">
                <input
                  aria-label="Host folder"
                  placeholder="/home/you/projects/docs"
                  value={m.hostPath}
                  disabled={disabled}
                  onChange={(e) => set(index, { hostPath: e.target.value })}
                />
                {pickFolder ? (
                  <button
                    type="button"
                    className="button"
                    disabled={disabled}
                    onClick={() =>
                      void pickFolder().then((path) => path && set(index, { hostPath: path }))
                    }
                  >
                    Browse…
                  </button>
                ) : null}
              </div>
              <input
                aria-label="Name in the container"
                className="mount-name"
                placeholder="name (default: folder name)"
                value={m.containerPath}
                disabled={disabled}
                onChange={(e) => set(index, { containerPath: e.target.value })}
              />
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={m.readonly}
                  disabled={disabled}
                  onChange={(e) => set(index, { readonly: e.target.checked })}
                />
                Read-only
              </label>
              <button
                type="button"
                className="button small ghost"
                aria-label="Remove folder"
                disabled={disabled}
                onClick={() => onChange(mounts.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldIssues issues={issues} path="mounts" />
      <button
        type="button"
        className="button small"
        data-testid="group-mount-add"
        disabled={disabled}
        onClick={() => onChange([...mounts, { hostPath: '', containerPath: '', readonly: true }])}
      >
        + Add folder
      </button>
    </div>
  );
}
