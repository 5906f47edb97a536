import { Badge } from '../../components/ui';
import { ago } from '../../format';
import { squadHref } from '../../route';
import { useNow } from '../../use-now';
import { isActive, progressLabel, SQUAD_STATE } from './squad-state';
import { useSquads } from './squads-store';

/** Squads, newest first; a click opens one. */
export function SquadList() {
  const squads = useSquads((s) => s.squads);
  const loaded = useSquads((s) => s.listLoaded);
  const currentId = useSquads((s) => s.currentId);
  const now = useNow();
  const active = squads.filter(isActive).length;
  return (
    <aside className="session-list" aria-label="Squads">
      <div className="session-list-head">
        <a
          href={squadHref(null)}
          className={`button primary new-task${currentId === null ? ' current' : ''}`}
          data-testid="squads-new"
        >
          + New squad
        </a>
        <div className="muted small">
          {active > 0 ? `${active} active · ` : ''}
          {squads.length} squad{squads.length === 1 ? '' : 's'}
        </div>
      </div>
      <ul data-testid="squad-list">
        {loaded && squads.length === 0 ? (
          <li className="muted session-list-empty">
            No squads yet. Describe a goal and press Plan: a planner splits it into tasks that
            agents run side by side.
          </li>
        ) : null}
        {squads.map((s) => {
          const state = SQUAD_STATE[s.state];
          return (
            <li key={s.id}>
              <a
                href={squadHref(s.id)}
                className={`session-list-item${s.id === currentId ? ' active' : ''}`}
                data-testid="squad-list-item"
                data-state={s.state}
                aria-current={s.id === currentId ? 'page' : undefined}
              >
                <span className="session-list-title" title={s.goal}>
                  {s.goal}
                </span>
                <span className="session-list-sub">
                  <Badge tone={state.tone}>{state.label}</Badge>
                  <span className="muted">{progressLabel(s)}</span>
                  <span className="muted">{ago(s.updatedAt, now)}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
