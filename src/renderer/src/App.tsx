import { useEffect, useState } from 'react';
import { AdvancedPage } from './pages/AdvancedPage';
import { HealthPage } from './pages/health/HealthPage';
import { SecurityPage } from './pages/security/SecurityPage';
import { CONTAINER_TABS, ContainerPage, type ContainerTab } from './pages/container/ContainerPage';
import { useApp, type Page } from './store';

const PAGES: { id: Page; label: string }[] = [
  { id: 'container', label: 'Container' },
  { id: 'security', label: 'Security' },
  { id: 'health', label: 'Health' },
  { id: 'advanced', label: 'Advanced' },
];

function routeFromHash(): { page: Page; tab: ContainerTab } {
  const [id, sub] = window.location.hash.replace(/^#\/?/, '').split('/');
  const page = PAGES.some((p) => p.id === id) ? (id as Page) : 'container';
  const tab = CONTAINER_TABS.some((t) => t.id === sub) ? (sub as ContainerTab) : 'runtime';
  return { page, tab };
}

function Banners() {
  const warnings = useApp((s) => s.warnings);
  const dismiss = useApp((s) => s.dismissWarning);
  const notice = useApp((s) => s.notice);
  const clearNotice = useApp((s) => s.clearNotice);
  const connection = useApp((s) => s.connection);
  const transport = useApp((s) => s.transport);
  return (
    <div className="banners">
      {connection === 'offline' ? (
        <div className="banner error" role="alert">
          Lost the connection to aigo. Reconnecting… (is <code>aigo serve</code> still running?)
        </div>
      ) : null}
      {transport && !transport.canMutate() ? (
        <div className="banner info" data-testid="readonly-banner">
          Read-only view. To change settings, open the link that <code>aigo serve</code> printed (it
          carries the access token).
        </div>
      ) : null}
      {warnings.map((w) => (
        <div key={w.id} className="banner warning" role="alert" data-testid="app-warning">
          <span>{w.message}</span>
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
          <span>{notice.text}</span>
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
  const [tab, setTab] = useState<ContainerTab>('runtime');

  useEffect(() => {
    const sync = () => {
      const route = routeFromHash();
      setPage(route.page);
      setTab(route.tab);
    };
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [setPage]);

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Settings sections">
        <div className="brand">
          aigo <span className="muted">Settings</span>
        </div>
        {PAGES.map((p) => (
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
      <main className="content">
        <Banners />
        {page === 'container' ? (
          <ContainerPage tab={tab} />
        ) : page === 'security' ? (
          <SecurityPage />
        ) : page === 'health' ? (
          <HealthPage />
        ) : (
          <AdvancedPage />
        )}
      </main>
    </div>
  );
}
