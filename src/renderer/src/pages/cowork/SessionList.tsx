import { useEffect, useState } from 'react';
import { Badge } from '../../components/ui';
import { ago } from '../../format';
import { sessionHref } from '../../route';
import { listStatus } from './session-state';
import { useSessions } from './sessions-store';
import { isActive } from './transcript';

/** Recent sessions, newest first; a click reopens one. */
export function SessionList() {
  const sessions = useSessions((s) => s.sessions);
  const loaded = useSessions((s) => s.listLoaded);
  const currentId = useSessions((s) => s.currentId);
  const active = sessions.filter(isActive).length;
  // "5 min ago" moves on by itself.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <aside className="session-list" aria-label="Sessions">
      <div className="session-list-head">
        <a
          href="#/cowork"
          className={`button primary new-task${currentId === null ? ' current' : ''}`}
          data-testid="cowork-new"
        >
          + New task
        </a>
        <div className="muted small">
          {active > 0 ? `${active} active · ` : ''}
          {sessions.length} recent
        </div>
      </div>
      <ul data-testid="session-list">
        {loaded && sessions.length === 0 ? (
          <li className="muted session-list-empty">
            No sessions yet. Type a task and press Start: it shows up here.
          </li>
        ) : null}
        {sessions.map((s) => {
          const status = listStatus(s);
          return (
            <li key={s.id}>
              <a
                href={sessionHref(s.id)}
                className={`session-list-item${s.id === currentId ? ' active' : ''}`}
                data-testid="session-list-item"
                data-state={s.state}
                aria-current={s.id === currentId ? 'page' : undefined}
              >
                <span className="session-list-title" title={s.title}>
                  {s.title || 'Untitled session'}
                </span>
                <span className="session-list-sub">
                  <Badge tone={status.tone}>{status.label}</Badge>
                  <span className="muted">{s.groupName}</span>
                  <span className="muted">{ago(s.updatedAt)}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
