import { useRef, useState } from 'react';
import type { ProxyCheckResult, ProxyView } from '../../../../../shared/schemas/proxy';
import type { ErrorInfo } from '../../../call';
import { FieldError, fieldIssue, FormError, useRevealError } from '../../../components/form-errors';
import { Badge, Card, Field, Spinner, Toggle } from '../../../components/ui';
import { useApp } from '../../../store';
import { useDraft } from '../../../use-draft';
import { useProxy } from './proxy-store';

export function ProxyStatusCard({ view }: { view: ProxyView }) {
  const setEnabled = useProxy((s) => s.setEnabled);
  const busy = useProxy((s) => s.busy);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const s = view.status;
  return (
    <Card title="Credential proxy" testId="proxy-status">
      <Toggle
        label={s.enabled ? 'Credential proxy: on' : 'Credential proxy: off'}
        testId="proxy-toggle"
        checked={s.enabled}
        disabled={!canMutate || busy}
        onChange={(on) => void setEnabled(on)}
      />
      <Field label="Status">
        <Badge tone={s.running ? 'ok' : s.enabled ? 'bad' : 'muted'} testId="proxy-running">
          {s.running ? 'Running' : s.enabled ? 'Not running' : 'Stopped'}
        </Badge>
      </Field>
      <Field
        label={
          s.running ? 'Listening on' : s.enabled ? 'Meant to listen on' : 'Listens on, when on'
        }
      >
        <code data-testid="proxy-address">
          {s.bindAddress}:{s.port === 0 ? 'any free port' : s.port}
        </code>
        {s.running ? null : (
          <span className="muted" data-testid="proxy-not-listening">
            {' '}
            — not listening now
          </span>
        )}
        {s.portSource === 'environment' ? (
          <div className="muted" data-testid="proxy-port-override">
            The port comes from the AIGO_PROXY_PORT environment variable, which overrides the port
            setting below.
          </div>
        ) : null}
      </Field>
      <Field label="Containers get">
        <code>ANTHROPIC_BASE_URL={s.containerBaseUrl}</code>{' '}
        <code>ANTHROPIC_API_KEY=CREDENTIAL_PROXY_PLACEHOLDER</code>
      </Field>
      <Field label="Requests">
        <span data-testid="proxy-requests">
          {s.requestsTotal} total, {s.requestsFailed} failed
        </span>
      </Field>
      {s.lastError ? (
        <p className="problem" data-testid="proxy-last-error">
          {s.lastError}
        </p>
      ) : null}
      <ContainerCheck />
    </Card>
  );
}

function ContainerCheck() {
  const check = useProxy((s) => s.check);
  const run = useProxy((s) => s.checkFromContainer);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const tone =
    check && check !== 'running' ? (check.result === 'reachable' ? 'ok' : 'bad') : 'muted';
  return (
    <div className="container-check">
      <button
        type="button"
        className="button"
        onClick={() => void run()}
        disabled={!canMutate || check === 'running'}
        data-testid="proxy-check"
      >
        {check === 'running' ? <Spinner /> : null} Check from a container
      </button>
      {check && check !== 'running' ? (
        <div className="test-result" data-testid="proxy-check-result">
          <Badge tone={tone}>{CHECK_BADGE[check.result]}</Badge>
          <span>{check.message}</span>
          {check.fix.length ? (
            <ol className="fix">
              {check.fix.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ol>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The check's outcome in a word or two. */
const CHECK_BADGE: Record<ProxyCheckResult['result'], string> = {
  reachable: 'Reachable',
  unreachable: 'Not reachable',
  image_missing: 'Image missing',
  runtime_unavailable: 'No runtime',
  engine_refused: 'Engine refused',
  error: 'Check failed',
};

export function ProxySettingsCard({ view }: { view: ProxyView }) {
  const updateSettings = useProxy((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty } = useDraft({
    port: String(view.config.port),
    bind: view.config.bindAddress ?? '',
    timeout: String(Math.round(view.config.upstreamTimeoutMs / 1000)),
  });
  const { port, bind, timeout } = draft;
  const [error, setError] = useState<ErrorInfo | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  const save = async (patch: Parameters<typeof updateSettings>[0]) => {
    setError(null);
    setError(await updateSettings(patch));
  };
  const setPort = (value: string) => setDraft({ ...draft, port: value });
  const setBind = (value: string) => setDraft({ ...draft, bind: value });
  const setTimeoutSecs = (value: string) => setDraft({ ...draft, timeout: value });
  return (
    <Card title="Proxy settings">
      <form
        className="form"
        data-testid="proxy-settings"
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          void save({
            port: Number(port),
            bindAddress: bind.trim() || null,
            upstreamTimeoutMs: Number(timeout) * 1000,
          });
        }}
      >
        <div className="form-row">
          <label>
            <span>Port</span>
            <input
              type="number"
              min={1}
              max={65535}
              name="port"
              aria-invalid={Boolean(fieldIssue(error, 'port'))}
              value={port}
              onChange={(e) => setPort(e.target.value)}
              disabled={!canMutate}
            />
            <FieldError error={error} name="port" />
          </label>
          <label>
            <span>Bind address</span>
            <input
              placeholder={`automatic (${view.status.bindAddress})`}
              name="bindAddress"
              aria-invalid={Boolean(fieldIssue(error, 'bindAddress'))}
              value={bind}
              onChange={(e) => setBind(e.target.value)}
              disabled={!canMutate}
            />
            <FieldError error={error} name="bindAddress" />
          </label>
          <label>
            <span>Upstream timeout (s)</span>
            <input
              type="number"
              min={1}
              name="upstreamTimeoutMs"
              aria-invalid={Boolean(fieldIssue(error, 'upstreamTimeoutMs'))}
              value={timeout}
              onChange={(e) => setTimeoutSecs(e.target.value)}
              disabled={!canMutate}
            />
            <FieldError error={error} name="upstreamTimeoutMs" />
          </label>
        </div>
        <small className="muted">
          Automatic binds where containers reach this machine (the host gateway), never all
          interfaces. Use 0.0.0.0 only if you know you need it.
        </small>
        <Toggle
          label="Strict: only containers started by aigo (with a session token) may use the proxy"
          checked={view.config.strict}
          disabled={!canMutate}
          onChange={(strict) => void save({ strict })}
        />
        <FormError
          error={error}
          fields={['port', 'bindAddress', 'upstreamTimeoutMs']}
          testId="proxy-settings-error"
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={!canMutate || !dirty}>
            Save
          </button>
        </div>
      </form>
    </Card>
  );
}
