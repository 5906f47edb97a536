import type { ContainerAudit } from '../../../../shared/schemas/container-audit';
import { Card, Spinner } from '../../components/ui';
import { ago, clock, fromNow } from '../../format';
import { useApp } from '../../store';
import { useLive } from '../../use-live';
import { useNow } from '../../use-now';
import { ContainerAuditRow } from './ContainerAuditRow';
import { ContainerAuditSettings } from './ContainerAuditSettings';
import {
  nextRunOf,
  onContainerAuditEvent,
  showAuditEntries,
  useContainerAudit,
} from './container-audit-store';
import './container-audit.css';

const everyMinutes = (n: number) => (n === 1 ? 'every minute' : `every ${n} minutes`);

function Timing({ audit, interval }: { audit: ContainerAudit; interval: number | null }) {
  const now = useNow(15_000);
  const next = nextRunOf(audit, interval);
  return (
    <div className="audit-timing">
      <span data-testid="container-audit-last-run">
        Last run:{' '}
        {audit.lastRunAt ? (
          <time dateTime={audit.lastRunAt} title={new Date(audit.lastRunAt).toLocaleString()}>
            {clock(audit.lastRunAt)} ({ago(audit.lastRunAt, now)})
          </time>
        ) : (
          'not yet'
        )}
      </span>
      <span data-testid="container-audit-next-run">
        Next run:{' '}
        {next ? (
          <time dateTime={next} title={new Date(next).toLocaleString()}>
            {fromNow(next, now)}
          </time>
        ) : (
          'when aigo has started'
        )}
      </span>
    </div>
  );
}

/** The guide's fixes for "Security Audit Marks Containers as Non-Compliant". */
function Fixes() {
  return (
    <div className="problem warn audit-fixes" data-testid="container-audit-fixes">
      <strong>A container failed the audit. To find out why:</strong>
      <ol className="fix">
        <li>
          Verify you have not modified the container environment variables (especially{' '}
          <code>ANTHROPIC_API_KEY</code>).
        </li>
        <li>Check that mounts have not changed since the container started.</li>
        <li>
          Review the audit log details for the specific check that failed:{' '}
          <button
            type="button"
            className="link-button"
            data-testid="container-audit-show-log"
            onClick={showAuditEntries}
          >
            show the <code>security-audit</code> entries in the audit log below
          </button>
          .
        </li>
      </ol>
    </div>
  );
}

/**
 * Settings > Security: the periodic audit of running agent containers (each compared with how
 * aigo started it), live, with "Run audit now" and the audit's own settings.
 */
export function ContainerAuditCard() {
  const audit = useContainerAudit((s) => s.audit);
  const running = useContainerAudit((s) => s.running);
  const run = useContainerAudit((s) => s.run);
  const load = useContainerAudit((s) => s.load);
  const interval = useApp((s) => s.settings?.security?.auditIntervalMinutes ?? null);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  useLive(load, onContainerAuditEvent);

  const containers = audit?.containers ?? [];
  const failing = containers.filter((c) => !c.compliant).length;
  // Non-compliant first; the rest as the engine listed them.
  const shown = [...containers].sort((a, b) => Number(a.compliant) - Number(b.compliant));

  return (
    <Card
      title="Container security audit"
      testId="container-audit"
      actions={
        <button
          type="button"
          className="button"
          data-testid="audit-run"
          disabled={!canMutate || running}
          onClick={() => void run()}
        >
          {running ? <Spinner /> : null}
          Run audit now
        </button>
      }
    >
      <p className="muted">
        Each running agent container is compared with how aigo started it: its environment (no real
        key, no variables added), its mounts, its user, capabilities and limits. A container that
        differs, or one labelled as this aigo&apos;s agent that it did not start, fails.
      </p>
      {audit ? <Timing audit={audit} interval={interval} /> : null}
      {audit?.error ? (
        <div className="problem" role="alert" data-testid="container-audit-error">
          <div>{audit.error}</div>
          <div className="small">
            The audit looks again at its next run. <a href="#/container/runtime">Runtime</a> shows
            why no runtime answers and how to fix it.
          </div>
        </div>
      ) : null}
      {audit && !audit.error && containers.length === 0 ? (
        <p className="empty" data-testid="container-audit-empty">
          No agent containers are running; the audit checks each one at start, after every container
          start, and {interval ? everyMinutes(interval) : 'every few minutes'}.
        </p>
      ) : null}
      {containers.length > 0 ? (
        <>
          <div className="audit-summary" data-testid="container-audit-summary">
            {containers.length} {containers.length === 1 ? 'container' : 'containers'}
            {failing > 0 ? (
              <strong className="audit-summary-bad"> · {failing} non-compliant</strong>
            ) : (
              ' · all compliant'
            )}
          </div>
          <ul className="audit-containers">
            {shown.map((c) => (
              <ContainerAuditRow key={c.container} result={c} />
            ))}
          </ul>
        </>
      ) : null}
      {failing > 0 ? <Fixes /> : null}
      <ContainerAuditSettings />
    </Card>
  );
}
