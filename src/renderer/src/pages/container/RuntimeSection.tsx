import type { RuntimeCheck } from '../../../../shared/schemas/runtime';
import { runtimeDisplayName } from '../../../../shared/schemas/runtime';
import { Badge, Card, CopyButton, Field, Spinner } from '../../components/ui';
import { useApp } from '../../store';
import { formatBytes } from '../../../../shared/format-bytes';

const STATUS_TEXT: Record<RuntimeCheck['status'], string> = {
  ok: 'Running',
  not_installed: 'Not installed',
  not_running: 'Not running',
  permission_denied: 'Permission denied',
  too_old: 'Too old',
  commands_fail: 'Commands fail',
  not_applicable: 'Not applicable',
  error: 'Error',
};

/** A fix step that looks like a shell command gets a copy button. */
function FixStep({ step }: { step: string }) {
  const command = /^(sudo |docker |groups |newgrp |container |which |ls |df )/.test(step)
    ? step.split('  (')[0]
    : null;
  return (
    <li>
      {command ? <code>{step}</code> : step}
      {command ? <CopyButton text={command} /> : null}
    </li>
  );
}

function CheckRow({ check }: { check: RuntimeCheck }) {
  const tone = check.status === 'ok' ? 'ok' : check.status === 'not_applicable' ? 'muted' : 'bad';
  return (
    <li className={`check ${check.status}`} data-testid="runtime-check">
      <div className="check-head">
        <Badge tone={tone}>{STATUS_TEXT[check.status]}</Badge>
        <strong>{check.label}</strong>
        <code className="muted">{check.endpoint}</code>
      </div>
      <p>{check.message}</p>
      {check.fix.length > 0 ? (
        <ol className="fix">
          {check.fix.map((step) => (
            <FixStep key={step} step={step} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

export function RuntimeSection() {
  const runtime = useApp((s) => s.runtime);
  const rechecking = useApp((s) => s.rechecking);
  const recheck = useApp((s) => s.recheckRuntime);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  if (!runtime) return <Card title="Runtime">Loading…</Card>;
  const name = runtimeDisplayName(runtime);
  const failed = runtime.checks.filter((c) => c.status !== 'ok' && c.status !== 'not_applicable');
  return (
    <Card
      title="Runtime"
      testId="runtime-card"
      actions={
        <button
          type="button"
          className="button"
          onClick={() => void recheck()}
          disabled={rechecking || !canMutate}
          data-testid="runtime-recheck"
        >
          {rechecking ? <Spinner /> : null} Re-check
        </button>
      }
    >
      <Field label="Runtime">
        <Badge tone={runtime.available ? 'ok' : 'bad'} testId="runtime-name">
          {name}
        </Badge>
        {runtime.product && runtime.product !== name ? (
          <span className="muted"> {runtime.product}</span>
        ) : null}
      </Field>
      {runtime.available ? (
        <>
          <Field label="Version" testId="runtime-version">
            {runtime.version}
            {runtime.apiVersion ? <span className="muted"> (API {runtime.apiVersion})</span> : null}
          </Field>
          <Field label="Socket">
            <code>{runtime.endpoint}</code>
          </Field>
          {runtime.disk ? (
            <Field label="Disk free" testId="runtime-disk">
              {formatBytes(runtime.disk.freeBytes)} of {formatBytes(runtime.disk.totalBytes)}{' '}
              <span className="muted">on {runtime.disk.path}</span>{' '}
              {runtime.disk.low ? <Badge tone="warn">Low</Badge> : null}
            </Field>
          ) : null}
          {runtime.disk?.low ? <p className="problem warn">{runtime.message}</p> : null}
          <Field label="Host gateway" testId="runtime-gateway">
            <code>{runtime.networking.hostGateway ?? 'unknown'}</code>{' '}
            <span className="muted">from {runtime.networking.source.replace('_', ' ')}</span>
          </Field>
        </>
      ) : (
        <p className="problem" data-testid="runtime-message">
          {runtime.message}
        </p>
      )}
      <Field label="Last checked">
        <span data-testid="runtime-checked-at">
          {new Date(runtime.checkedAt).toLocaleTimeString()}
        </span>
      </Field>
      {failed.length > 0 || !runtime.available ? (
        <details open={!runtime.available} className="checks">
          <summary>What was checked ({runtime.checks.length})</summary>
          <ul>
            {runtime.checks.map((c) => (
              <CheckRow key={`${c.backend}:${c.endpoint}`} check={c} />
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}
