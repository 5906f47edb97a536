import { create } from 'zustand';
import type { AnyEvent } from '../../../../shared/contract';
import type { Diagnostics } from '../../../../shared/schemas/diagnostics';
import { attempt, transport } from '../../call';
import { Badge, Card, Spinner } from '../../components/ui';
import { useLive } from '../../use-live';

const useHealth = create<{
  diagnostics: Diagnostics | null;
  loading: boolean;
  load(): Promise<void>;
}>()((set) => ({
  diagnostics: null,
  loading: false,
  async load() {
    // Only the newest answer counts: an older, slower one must not overwrite it.
    const ticket = ++loads;
    set({ loading: true });
    const diagnostics = await attempt(() => transport().call('app.diagnostics'));
    if (ticket !== loads) return;
    set({ loading: false, ...(diagnostics ? { diagnostics } : {}) });
  },
}));
let loads = 0;

const WATCHED = new Set([
  'runtime.changed',
  'image.changed',
  'proxy.changed',
  'mountSecurity.changed',
  'app.warningsChanged',
  'settings.changed',
]);
let pending: ReturnType<typeof setTimeout> | null = null;

/** Anything the checklist depends on changed: look again, once, shortly after. */
function onHealthEvent(event: AnyEvent): void {
  if (!WATCHED.has(event.name) || pending) return;
  pending = setTimeout(() => {
    pending = null;
    void useHealth.getState().load();
  }, 400);
}

const TONE = { ok: 'ok', info: 'muted', warn: 'warn', fail: 'bad' } as const;
const LABEL = { ok: 'OK', info: 'Info', warn: 'Warning', fail: 'Problem' } as const;
const SUMMARY = {
  ok: 'Everything aigo can check is fine.',
  warn: 'aigo works, with the warnings below.',
  fail: 'Something below stops agents from running: follow its fix.',
} as const;

/** The app's own diagnosis: the troubleshooting guide, applied by the app. */
export function HealthPage() {
  const { diagnostics, loading, load } = useHealth();
  useLive(load, onHealthEvent);
  return (
    <div className="page" data-testid="page-health">
      <h1>Health</h1>
      <p className="lead">
        Everything aigo checks for itself, with the fix for each problem. The same list in a
        terminal: <code>aigo doctor</code>.
      </p>
      <Card
        title={diagnostics ? SUMMARY[diagnostics.status] : 'Checking…'}
        testId="health-card"
        actions={
          <button type="button" className="button" onClick={() => void load()} disabled={loading}>
            {loading ? <Spinner /> : null} Check again
          </button>
        }
      >
        <ul className="rows">
          {diagnostics?.items.map((item) => (
            <li
              key={item.id}
              className="row health-item"
              data-testid="health-item"
              data-status={item.status}
            >
              <div className="row-main">
                <Badge tone={TONE[item.status]}>{LABEL[item.status]}</Badge>
                <strong>{item.title}</strong>
                {item.detail ? <span className="muted">{item.detail}</span> : null}
                {item.fix.length ? (
                  <ol className="fix">
                    {item.fix.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ol>
                ) : null}
              </div>
              {item.route && item.status !== 'ok' ? (
                <a className="button small" href={`#/${item.route}`}>
                  Open
                </a>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
