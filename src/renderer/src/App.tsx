import { useEffect, useState } from 'react';
import { StatusStrip } from './components/StatusStrip';
import { AdvancedPage } from './pages/AdvancedPage';
import { CoworkPage } from './pages/cowork/CoworkPage';
import { useSessions } from './pages/cowork/sessions-store';
import { HealthPage } from './pages/health/HealthPage';
import { SquadsPage } from './pages/squads/SquadsPage';
import { useSquads } from './pages/squads/squads-store';
import { SecurityPage } from './pages/security/SecurityPage';
import { ContainerPage } from './pages/container/ContainerPage';
import { ChannelsPage } from './pages/channels/ChannelsPage';
import { parseRoute, sessionHref, squadHref, type Route } from './route';
import { useApp, type Page } from './store';

const SETTINGS_PAGES: { id: Page; label: string }[] = [
  { id: 'container', label: 'Container' },
  { id: 'channels', label: 'Channels' },
  { id: 'security', label: 'Security' },
  { id: 'health', label: 'Health' },
  { id: 'advanced', label: 'Advanced' },
];

const TITLES: Record<Page, string> = {
  cowork: 'Cowork',
  squads: 'Squad',
  container: 'Container',
  channels: 'Channels',
  security: 'Security',
  health: 'Health',
  advanced: 'Advanced',
};

function Banners() {
  const warnings = useApp((s) => s.warnings);
  const dismiss = useApp((s) => s.dismissWarning);
  const notice = useApp((s) => s.notice);
  const clearNotice = useApp((s) => s.clearNotice);
  const connection = useApp((s) => s.connection);
  const transport = useApp((s) => s.transport);
  const readOnly = useApp((s) => s.readOnly);
  const tokenRequired = useApp((s) => s.tokenRequired);
  // Each banner's words sit in one element, so they read as one paragraph (a banner is a flex
  // row: loose text and <code> would each become a column of their own).
  return (
    <div className="banners">
      {connection === 'offline' && !tokenRequired ? (
        <div className="banner error" role="alert" data-testid="offline-banner">
          <p className="banner-text">
            Lost the connection to aigo. Reconnecting… (is <code>aigo serve</code> still running?)
            Changes are disabled until it is back.
          </p>
        </div>
      ) : null}
      {transport && readOnly ? (
        <div className="banner info" data-testid="readonly-banner">
          {tokenRequired ? (
            <p className="banner-text">
              aigo needs its access token even to show this page: agents share this machine&apos;s
              network, so the app does not answer without it. Open the link that{' '}
              <code>aigo serve</code> printed (it carries the token).
            </p>
          ) : (
            <p className="banner-text">
              Read-only view. To change settings, open the link that <code>aigo serve</code> printed
              (it carries the access token).
            </p>
          )}
        </div>
      ) : null}
      {warnings.map((w) => (
        <div key={w.id} className="banner warning" role="alert" data-testid="app-warning">
          <span className="banner-text">{w.message}</span>
          <button
            type="button"
            className="button small ghost"
            onClick={() => void dismiss(w.id)}
            disabled={!transport?.canMutate()}
          >
            Dismiss
          </button>
        </div>
      ))}
      {notice ? (
        <div className={`banner ${notice.kind}`} role="status" data-testid="notice">
          <span className="banner-text">{notice.text}</span>
          <button type="button" className="button small ghost" onClick={clearNotice}>
            Close
          </button>
        </div>
      ) : null}
    </div>
  );
}

export function App() {
  const page = useApp((s) => s.page);
  const setPage = useApp((s) => s.setPage);
  const info = useApp((s) => s.info);
  // Cowork's and Squad's nav links go back to the session and the squad last looked at.
  const currentSession = useSessions((s) => s.currentId);
  const currentSquad = useSquads((s) => s.currentId);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    const sync = () => {
      const next = parseRoute(window.location.hash);
      setPage(next.page);
      setRoute(next);
    };
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [setPage]);

  useEffect(() => {
    document.title = `${TITLES[page]} — aigo`;
  }, [page]);

  return (
    <div className="frame">
      <div className="shell">
        <nav className="sidebar" aria-label="Sections">
          <div className="brand">aigo</div>
          <a
            href={sessionHref(currentSession)}
            className={`nav-main${page === 'cowork' ? ' active' : ''}`}
            data-testid="nav-cowork"
          >
            Cowork
          </a>
          <a
            href={squadHref(currentSquad)}
            className={`nav-main${page === 'squads' ? ' active' : ''}`}
            data-testid="nav-squads"
          >
            Squad
          </a>
          <div className="nav-heading">Settings</div>
          {SETTINGS_PAGES.map((p) => (
            <a
              key={p.id}
              href={`#/${p.id}`}
              className={page === p.id ? 'active' : ''}
              data-testid={`nav-${p.id}`}
            >
              {p.label}
            </a>
          ))}
          <div className="sidebar-foot muted">{info ? `v${info.version} · ${info.mode}` : ''}</div>
        </nav>
        <main className={`content${page === 'cowork' || page === 'squads' ? ' full' : ''}`}>
          <Banners />
          {page === 'cowork' ? (
            <CoworkPage sessionId={route.id} />
          ) : page === 'squads' ? (
            <SquadsPage squadId={route.id} taskId={route.task} />
          ) : page === 'container' ? (
            <ContainerPage tab={route.tab} id={route.id} query={route.query} />
          ) : page === 'channels' ? (
            <ChannelsPage channel={route.channel} />
          ) : page === 'security' ? (
            <SecurityPage />
          ) : page === 'health' ? (
            <HealthPage />
          ) : (
            <AdvancedPage />
          )}
        </main>
      </div>
      <StatusStrip />
    </div>
  );
}
