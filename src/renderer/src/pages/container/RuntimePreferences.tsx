import { useRef, useState } from 'react';
import { useDraft } from '../../use-draft';
import type { Settings } from '../../../../shared/schemas/settings';
import { clearError, showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, fieldIssue, FormError, useRevealError } from '../../components/form-errors';
import { Card } from '../../components/ui';
import { useApp } from '../../store';

const FIELDS = ['runtime.preferred', 'runtime.dockerHost', 'runtime.hostGatewayOverride'];

type RuntimeSettings = Settings['runtime'];

/** Which runtime to use and how containers reach the host; saved together, validated by the core. */
export function RuntimePreferences() {
  const saved = useApp((s) => s.settings?.runtime);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft<RuntimeSettings | null>(saved ?? null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  if (!draft || !saved) return null;
  // Saved here rather than through the app store, so a refusal shows next to its field.
  const save = async () => {
    setError(null);
    const outcome = await tryCall(() => transport().call('settings.update', { runtime: draft }));
    if (!outcome.ok) return setError(outcome.error);
    useApp.setState({ settings: outcome.value });
    clearError();
    showSaved();
  };
  const invalid = (name: string) => Boolean(fieldIssue(error, name));
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return (
    <Card title="Runtime preferences" testId="runtime-preferences">
      <form
        className="form"
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label>
          <span>Preferred runtime</span>
          <select
            data-testid="runtime-preferred"
            name="runtime.preferred"
            aria-invalid={invalid('runtime.preferred')}
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
          <FieldError error={error} name="runtime.preferred" />
        </label>
        <label>
          <span>Docker endpoint</span>
          <input
            placeholder="automatic (DOCKER_HOST, then the usual sockets)"
            name="runtime.dockerHost"
            aria-invalid={invalid('runtime.dockerHost')}
            value={draft.dockerHost ?? ''}
            disabled={!canMutate}
            onChange={(e) => setDraft({ ...draft, dockerHost: text(e.target.value) })}
          />
          <FieldError error={error} name="runtime.dockerHost" />
          <small className="muted">
            unix:///path/docker.sock, tcp://host:2375 or npipe:////./pipe/name
          </small>
        </label>
        <label>
          <span>Host gateway override</span>
          <input
            placeholder="automatic"
            name="runtime.hostGatewayOverride"
            aria-invalid={invalid('runtime.hostGatewayOverride')}
            value={draft.hostGatewayOverride ?? ''}
            disabled={!canMutate}
            onChange={(e) => setDraft({ ...draft, hostGatewayOverride: text(e.target.value) })}
          />
          <FieldError error={error} name="runtime.hostGatewayOverride" />
          <small className="muted">
            The address containers use to reach aigo (credential proxy). Leave empty unless
            detection is wrong.
          </small>
        </label>
        <FormError error={error} fields={FIELDS} testId="runtime-preferences-error" />
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!dirty || !canMutate}>
            Save
          </button>
          <button
            type="button"
            className="button ghost"
            disabled={!dirty}
            onClick={() => {
              reset();
              setError(null);
            }}
          >
            Undo changes
          </button>
        </div>
      </form>
    </Card>
  );
}
