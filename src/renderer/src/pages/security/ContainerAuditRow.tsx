import type { AuditCheck, ContainerAuditResult } from '../../../../shared/schemas/container-audit';
import { Badge } from '../../components/ui';
import { clock } from '../../format';
import { sessionHref } from '../../route';

/** What each check of the audit looks at, in words. */
const CHECK_LABELS: Record<string, string> = {
  'launched-by-aigo': 'Started by this aigo',
  'env-approved-only': 'Only approved environment variables',
  'env-api-key-placeholder': 'ANTHROPIC_API_KEY is the proxy placeholder',
  'env-no-real-key': 'No real key in the environment',
  'env-unchanged': 'Environment as it was started',
  'mounts-as-launched': 'Mounts as they were started',
  'mounts-no-protected-path': 'No aigo data or runtime socket mounted',
  'user-non-root': 'Runs as a non-root user',
  'no-capabilities': 'No Linux capabilities',
  'not-privileged': 'Not privileged',
  'no-new-privileges': 'Cannot gain privileges (no-new-privileges)',
  'read-only-root': 'Read-only root filesystem',
  'network-as-launched': 'Network as it was started',
  'limits-as-launched': 'Memory, CPU and process limits as started',
  'image-as-launched': 'Image as it was started',
  'labels-as-launched': 'Labels as they were started',
};

const ACTION = {
  stopped: { tone: 'bad', text: 'stopped' },
  flagged: { tone: 'warn', text: 'flagged, kept running' },
} as const;

function Check({ check }: { check: AuditCheck }) {
  const label = CHECK_LABELS[check.id];
  return (
    <li
      className={`audit-check ${check.ok ? 'passed' : 'failed'}`}
      data-testid="audit-check"
      data-check={check.id}
      data-ok={String(check.ok)}
    >
      <div className="audit-check-head">
        <span className={`audit-check-mark ${check.ok ? 'ok' : 'bad'}`} aria-hidden="true">
          {check.ok ? '✓' : '✕'}
        </span>
        <code>{check.id}</code>
        {label ? <span>{label}</span> : null}
        {check.ok ? <span className="muted small">{check.actual}</span> : null}
      </div>
      {check.ok ? null : (
        <dl className="audit-check-values">
          <dt>expected</dt>
          <dd>{check.expected}</dd>
          <dt>actual</dt>
          <dd>{check.actual}</dd>
        </dl>
      )}
    </li>
  );
}

/** One running agent container: its verdict, what aigo did, and each check (failed first). */
export function ContainerAuditRow({ result }: { result: ContainerAuditResult }) {
  const failed = result.checks.filter((k) => !k.ok);
  const passed = result.checks.filter((k) => k.ok);
  const action = result.action === 'none' ? null : ACTION[result.action];
  return (
    <li
      className={`audit-container ${result.compliant ? 'compliant' : 'noncompliant'}`}
      data-testid="audit-container"
      data-compliant={String(result.compliant)}
      data-action={result.action}
      data-container={result.container}
    >
      <div className="audit-container-head">
        <strong className="audit-container-name" data-testid="audit-container-name">
          {result.name}
        </strong>
        <Badge tone={result.compliant ? 'ok' : 'bad'} testId="audit-verdict">
          {result.compliant ? 'compliant' : 'non-compliant'}
        </Badge>
        {action ? (
          <Badge tone={action.tone} testId="audit-action">
            {action.text}
          </Badge>
        ) : null}
      </div>
      <div className="audit-container-meta muted small">
        <span>group {result.group ? <code>{result.group}</code> : '—'}</span>
        <span>
          session{' '}
          {result.session ? (
            <a href={sessionHref(result.session)} data-testid="audit-session-link">
              {result.session}
            </a>
          ) : (
            '— (not an aigo session)'
          )}
        </span>
        <span>
          container <code>{result.container.slice(0, 12)}</code>
        </span>
        <span>checked {clock(result.checkedAt)}</span>
      </div>
      {failed.length > 0 ? (
        <ul className="audit-checks">
          {failed.map((k) => (
            <Check key={k.id} check={k} />
          ))}
        </ul>
      ) : null}
      {passed.length > 0 ? (
        <details className="audit-passed" data-testid="audit-passed">
          <summary>
            {passed.length} {passed.length === 1 ? 'check' : 'checks'} passed
          </summary>
          <ul className="audit-checks">
            {passed.map((k) => (
              <Check key={k.id} check={k} />
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}
