import { useDraft } from '../../use-draft';
import type { Settings } from '../../../../shared/schemas/settings';
import { Card } from '../../components/ui';
import { useApp } from '../../store';

type RuntimeSettings = Settings['runtime'];

/** Which runtime to use and how containers reach the host; saved together, validated by the core. */
export function RuntimePreferences() {
  const saved = useApp((s) => s.settings?.runtime);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft<RuntimeSettings | null>(saved ?? null);
  if (!draft || !saved) return null;
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return (
    <Card title="Runtime preferences" testId="runtime-preferences">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void update({ runtime: draft });
        }}
      >
        <label>
          <span>Preferred runtime</span>
          <select
            data-testid="runtime-preferred"
            value={draft.preferred}
            disabled={!canMutate}
            onChange={(e) =>
              setDraft({ ...draft, preferred: e.target.value as RuntimeSettings['preferred'] })
            }
          >
            <option value="auto">
              Automatic (Apple Container on macOS 15+ when running, else Docker)
            </option>
            <option value="docker">Docker (or a Docker-compatible engine)</option>
            <option value="apple_container">Apple Container</option>
          </select>
        </label>
        <label>
          <span>Docker endpoint</span>
          <input
            placeholder="automatic (DOCKER_HOST, then the usual sockets)"
            value={draft.dockerHost ?? ''}
            disabled={!canMutate}
            onChange={(e) => setDraft({ ...draft, dockerHost: text(e.target.value) })}
          />
          <small className="muted">
            unix:///path/docker.sock, tcp://host:2375 or npipe:////./pipe/name
          </small>
        </label>
        <label>
          <span>Host gateway override</span>
          <input
            placeholder="automatic"
            value={draft.hostGatewayOverride ?? ''}
            disabled={!canMutate}
            onChange={(e) => setDraft({ ...draft, hostGatewayOverride: text(e.target.value) })}
          />
          <small className="muted">
            The address containers use to reach aigo (credential proxy). Leave empty unless
            detection is wrong.
          </small>
        </label>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!dirty || !canMutate}>
            Save
          </button>
          <button type="button" className="button ghost" disabled={!dirty} onClick={reset}>
            Undo changes
          </button>
        </div>
      </form>
    </Card>
  );
}
