import { useRef, useState } from 'react';
import { useDraft } from '../../use-draft';
import type { Settings } from '../../../../shared/schemas/settings';
import { clearError, showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, fieldIssue, FormError, useRevealError } from '../../components/form-errors';
import { Card, SaveOrUndo } from '../../components/ui';
import { useApp } from '../../store';

const FIELDS = [
  'runtime.preferred',
  'runtime.dockerHost',
  'runtime.dockerTlsVerify',
  'runtime.dockerCertPath',
  'runtime.dockerSshIdentityFile',
  'runtime.hostGatewayOverride',
  'runtime.agentNetwork',
];

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
            unix:///path/docker.sock, tcp://host:2376, ssh://user@host or npipe:////./pipe/name.
            When set, aigo uses only this endpoint.
          </small>
        </label>
        <RemoteAccessFields
          draft={draft}
          setDraft={setDraft}
          error={error}
          disabled={!canMutate}
          invalid={invalid}
        />
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
        <label>
          <span>Agent network</span>
          <select
            data-testid="runtime-agent-network"
            name="runtime.agentNetwork"
            aria-invalid={invalid('runtime.agentNetwork')}
            value={draft.agentNetwork}
            disabled={!canMutate}
            onChange={(e) =>
              setDraft({
                ...draft,
                agentNetwork: e.target.value as RuntimeSettings['agentNetwork'],
              })
            }
          >
            <option value="auto">Automatic (an isolated bridge where the engine has one)</option>
            <option value="host">Host network (agents share this computer&apos;s localhost)</option>
          </select>
          <FieldError error={error} name="runtime.agentNetwork" />
          <small className="muted">
            Host network is for engines whose bridges cannot reach aigo. Agents can then reach
            services on localhost, so aigo&apos;s API asks for its token even for reads.
          </small>
        </label>
        <FormError error={error} fields={FIELDS} testId="runtime-preferences-error" />
        <div className="form-actions">
          <SaveOrUndo
            primary
            dirty={dirty}
            canSave={canMutate}
            onUndo={() => {
              reset();
              setError(null);
            }}
          />
        </div>
      </form>
    </Card>
  );
}

/** TLS for tcp:// endpoints and the SSH key for ssh:// ones: what DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and ssh offer. */
function RemoteAccessFields(props: {
  draft: RuntimeSettings;
  setDraft: (next: RuntimeSettings) => void;
  error: ErrorInfo | null;
  disabled: boolean;
  invalid: (name: string) => boolean;
}) {
  const { draft, setDraft, error, disabled, invalid } = props;
  const endpoint = draft.dockerHost ?? '';
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  if (/^(tcp|https?):\/\//.test(endpoint))
    return (
      <>
        <label className="checkbox">
          <input
            type="checkbox"
            name="runtime.dockerTlsVerify"
            checked={draft.dockerTlsVerify || endpoint.startsWith('https://')}
            disabled={disabled || endpoint.startsWith('https://')}
            onChange={(e) => setDraft({ ...draft, dockerTlsVerify: e.target.checked })}
          />
          <span>Verify TLS (like DOCKER_TLS_VERIFY=1)</span>
        </label>
        <label>
          <span>TLS certificate folder</span>
          <input
            name="runtime.dockerCertPath"
            placeholder="~/.docker (holds ca.pem, cert.pem, key.pem)"
            aria-invalid={invalid('runtime.dockerCertPath')}
            value={draft.dockerCertPath ?? ''}
            disabled={disabled}
            onChange={(e) => setDraft({ ...draft, dockerCertPath: text(e.target.value) })}
          />
          <FieldError error={error} name="runtime.dockerCertPath" />
          <small className="muted">
            What DOCKER_CERT_PATH names: the engine&apos;s CA as ca.pem, and your client certificate
            as cert.pem and key.pem. Empty: the system&apos;s CAs, no client certificate.
          </small>
        </label>
      </>
    );
  if (endpoint.startsWith('ssh://'))
    return (
      <label>
        <span>SSH identity file</span>
        <input
          name="runtime.dockerSshIdentityFile"
          placeholder="the SSH agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa"
          aria-invalid={invalid('runtime.dockerSshIdentityFile')}
          value={draft.dockerSshIdentityFile ?? ''}
          disabled={disabled}
          onChange={(e) => setDraft({ ...draft, dockerSshIdentityFile: text(e.target.value) })}
        />
        <FieldError error={error} name="runtime.dockerSshIdentityFile" />
        <small className="muted">
          The host&apos;s key must be in ~/.ssh/known_hosts (connect once with ssh to add it). A key
          with a passphrase must be loaded into the agent with ssh-add.
        </small>
      </label>
    );
  return null;
}
