import { useState } from 'react';
import type { MountSecurityView } from '../../../../../shared/schemas/mounts';
import { Badge, Card, Toggle } from '../../../components/ui';
import { useApp } from '../../../store';
import { useMounts } from './mounts-store';

function BroadConfirmation({ onAdded }: { onAdded(): void }) {
  const pending = useMounts((s) => s.pendingBroad);
  const confirm = useMounts((s) => s.confirmBroad);
  const cancel = useMounts((s) => s.cancelBroad);
  if (!pending) return null;
  return (
    <div className="confirm" role="alertdialog" data-testid="broad-confirm">
      <p>{pending.message}</p>
      <div className="form-actions">
        <button
          type="button"
          className="button danger"
          onClick={() => void confirm().then((ok) => ok && onAdded())}
        >
          Add anyway
        </button>
        <button type="button" className="button" onClick={cancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function AllowedRoots({ view }: { view: MountSecurityView }) {
  const save = useMounts((s) => s.save);
  const pickFolder = useMounts((s) => s.pickFolder);
  const saving = useMounts((s) => s.saving);
  const reconfirm = useMounts((s) => s.reconfirm);
  const canPick = useApp((s) => s.info?.capabilities.pickFolder ?? false);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const [readWrite, setReadWrite] = useState(false);
  const policy = view.policy;

  const add = async () => {
    const ok = await save({
      ...policy,
      allowedRoots: [
        ...policy.allowedRoots,
        { path: path.trim(), description: description.trim(), allowReadWrite: readWrite },
      ],
    });
    if (ok) clearForm();
  };
  const clearForm = () => {
    setPath('');
    setDescription('');
    setReadWrite(false);
  };
  const replaceRoot = (
    index: number,
    next: Omit<(typeof policy.allowedRoots)[number], 'confirmedRealPath'> | null,
  ) => {
    const roots = policy.allowedRoots.flatMap((r, i) => (i === index ? (next ? [next] : []) : [r]));
    void save({ ...policy, allowedRoots: roots });
  };

  return (
    <Card title="Allowed roots" testId="allowed-roots">
      <p className="muted">
        Agents can only see folders inside these roots. Everything else is denied. Be specific —
        avoid broad roots like your home directory.
      </p>
      {view.roots.length === 0 ? (
        <p className="empty">No allowed roots yet: agents cannot see any of your folders.</p>
      ) : null}
      <ul className="rows">
        {view.roots.map((root, index) => (
          <li key={root.path} className="row" data-testid="allowed-root">
            <div className="row-main">
              <code>{root.path}</code>
              {root.realPath && root.realPath !== root.path ? (
                <span className="muted"> → {root.realPath}</span>
              ) : null}
              {!root.exists ? <Badge tone="bad">Missing</Badge> : null}
              {root.broad ? <Badge tone="warn">Broad</Badge> : null}
              {root.problem ? <Badge tone="bad">Admits nothing</Badge> : null}
              {root.description ? <div className="muted">{root.description}</div> : null}
              {root.problem ? (
                <div className="problem" data-testid="root-problem">
                  {root.problem}
                </div>
              ) : null}
            </div>
            {root.needsReconfirm ? (
              <button
                type="button"
                className="button small danger"
                data-testid="root-reconfirm"
                disabled={!canMutate || saving}
                onClick={() => void reconfirm(root.path)}
              >
                Re-confirm
              </button>
            ) : null}
            <Toggle
              label="Read-write"
              checked={root.allowReadWrite}
              disabled={!canMutate || saving}
              onChange={(allowReadWrite) =>
                replaceRoot(index, {
                  path: root.path,
                  description: root.description,
                  allowReadWrite,
                })
              }
            />
            <button
              type="button"
              className="button small"
              disabled={!canMutate || saving}
              onClick={() => replaceRoot(index, null)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="form inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <div className="input-with-button">
          <input
            aria-label="Folder to allow"
            data-testid="root-path"
            placeholder="/home/you/projects"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            disabled={!canMutate}
          />
          {canPick ? (
            <button
              type="button"
              className="button"
              disabled={!canMutate}
              onClick={() => void pickFolder().then((picked) => picked && setPath(picked))}
            >
              Browse…
            </button>
          ) : null}
        </div>
        <input
          aria-label="Description"
          placeholder="Description (optional)"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          disabled={!canMutate}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={readWrite}
            onChange={(e) => setReadWrite(e.target.checked)}
            disabled={!canMutate}
          />{' '}
          Allow read-write
        </label>
        <button
          type="submit"
          className="button primary"
          data-testid="root-add"
          disabled={!canMutate || saving || path.trim() === ''}
        >
          Add root
        </button>
      </form>
      <BroadConfirmation onAdded={clearForm} />
    </Card>
  );
}
