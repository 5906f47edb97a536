import { useState } from 'react';
import type { AnyEvent } from '../../../../shared/contract';
import type { AuditEntry } from '../../../../shared/schemas/audit';
import { Badge, Card } from '../../components/ui';
import { useLive } from '../../use-live';
import { useAudit } from './audit-store';
import { useApp } from '../../store';
import { AuditRetentionCard } from './AuditRetention';
import { ContainerAuditCard } from './ContainerAuditCard';

const CATEGORIES = [
  'runtime',
  'mounts',
  'proxy',
  'image',
  'settings',
  'ipc',
  'security-audit',
  'container',
  'session',
  'groups',
  'schedules',
  'audit',
];
const TONE = { info: 'muted', warning: 'warn', violation: 'bad', critical: 'bad' } as const;

function Entry({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const hasDetails = Object.keys(entry.details).length > 0;
  return (
    <li className={`audit-entry ${entry.severity}`} data-testid="audit-entry">
      <button
        type="button"
        className="audit-line"
        onClick={() => setOpen(!open)}
        disabled={!hasDetails}
        aria-expanded={open}
      >
        <span className="audit-time">{new Date(entry.time).toLocaleString()}</span>
        <Badge tone={TONE[entry.severity]}>{entry.severity}</Badge>
        <span className="audit-category">{entry.category}</span>
        {entry.group ? <span className="muted">group {entry.group}</span> : null}
        <span className="audit-message">{entry.message}</span>
      </button>
      {open ? <pre className="audit-details">{JSON.stringify(entry.details, null, 2)}</pre> : null}
    </li>
  );
}

function download(entries: AuditEntry[]): void {
  const blob = new Blob([JSON.stringify({ entries }, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `aigo-audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The audit log: every security-relevant event, newest first, live. */
function onAuditEvent(event: AnyEvent): void {
  if (event.name === 'audit.appended') useAudit.getState().push(event.payload);
}

export function SecurityPage() {
  const { filter, entries, more, loading, setFilter, load, loadOlder, exportAll } = useAudit();
  const apiUrl = useApp((s) => s.info?.apiUrl ?? 'http://localhost:55765');
  useLive(load, onAuditEvent);

  return (
    <div className="page" data-testid="page-security">
      <h1>Security</h1>
      <p className="lead">
        Whether each running agent container is still as aigo started it, and every
        security-relevant event: refused mounts, refused proxy requests, policy changes, runtime
        changes, containers that failed the audit. A <strong>violation</strong> is something an
        agent or a container tried and was stopped from doing.
      </p>
      <ContainerAuditCard />
      <Card
        title="Audit log"
        testId="audit-log"
        actions={
          <button
            type="button"
            className="button"
            onClick={() => void exportAll().then((all) => all && download(all))}
          >
            Export JSON
          </button>
        }
      >
        <div className="form inline-form">
          <select
            aria-label="Severity"
            value={filter.severity}
            onChange={(e) => void setFilter({ severity: e.target.value as typeof filter.severity })}
          >
            <option value="">All severities</option>
            <option value="violation">Violations</option>
            <option value="critical">Critical</option>
            <option value="warning">Warnings</option>
            <option value="info">Info</option>
          </select>
          <select
            aria-label="Category"
            value={filter.category}
            onChange={(e) => void setFilter({ category: e.target.value })}
          >
            <option value="">All categories</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <input
            aria-label="Group"
            placeholder="group"
            className="narrow"
            value={filter.group}
            onChange={(e) => void setFilter({ group: e.target.value })}
          />
        </div>
        {entries.length === 0 && !loading ? (
          <p className="empty">
            No events
            {filter.severity || filter.category || filter.group ? ' match this filter' : ' yet'}.
          </p>
        ) : null}
        <ul className="audit-list">
          {entries.map((e) => (
            <Entry key={e.id} entry={e} />
          ))}
        </ul>
        {more ? (
          <button
            type="button"
            className="button"
            onClick={() => void loadOlder()}
            disabled={loading}
          >
            Load older
          </button>
        ) : null}
        <p className="muted">
          The same log from a terminal:{' '}
          <code data-testid="audit-curl">{curlHint(apiUrl, filter)}</code>
        </p>
        <p className="muted">
          Events anyone can cause (refused proxy requests) are written once, then counted: one entry
          per cause and source per minute says how many more came.
        </p>
      </Card>
      <AuditRetentionCard />
    </div>
  );
}

/** The curl line for what the page shows: the real address and the chosen filter. */
function curlHint(
  apiUrl: string,
  filter: { severity: string; category: string; group: string },
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) query.set(key, value);
  const qs = query.toString();
  return `curl -H "Authorization: Bearer $(cat DATA_DIR/api-token)" "${apiUrl}/api/v1/container/audit-log${qs ? `?${qs}` : ''}"`;
}
