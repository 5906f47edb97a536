import { create } from 'zustand';
import type { AnyEvent } from '../../../../shared/contract';
import type { Diagnostics } from '../../../../shared/schemas/diagnostics';
import { attempt, transport } from '../../call';
import { Badge, Card, Spinner } from '../../components/ui';
import { useApp } from '../../store';
import { useLive } from '../../use-live';
import { saveDiagnostics } from './save-diagnostics';

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
                <a className="button" href={`#/${item.route}`}>
                  Open
                </a>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>
      <DiagnosticsCard />
    </div>
  );
}

const useSaving = create<{ saving: boolean; saved: string | null }>()(() => ({
  saving: false,
  saved: null,
}));

async function save(): Promise<void> {
  if (useSaving.getState().saving) return;
  useSaving.setState({ saving: true });
  const name = await attempt(() => saveDiagnostics(), { change: true });
  useSaving.setState({ saving: false, ...(name ? { saved: name } : {}) });
  if (name) useApp.setState({ notice: { kind: 'success', text: `Saved ${name}` } });
}

/** One archive to attach to a report: the guide's "Getting Help" steps in one click. */
function DiagnosticsCard() {
  const { saving, saved } = useSaving();
  const kind = useApp((s) => s.transport?.kind ?? null);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  // The desktop window talks IPC and holds no API token; the terminal command works there.
  const usable = kind === 'web' && canMutate;
  const reason =
    kind === 'ipc'
      ? 'In the desktop app, save it from a terminal: aigo doctor --bundle aigo-diagnostics.zip'
      : !canMutate
        ? 'Needs the API token: open the link `aigo serve` printed.'
        : undefined;
  return (
    <Card
      title="Diagnostics bundle"
      testId="diagnostics-card"
      actions={
        <button
          type="button"
          className="button"
          data-testid="diagnostics-save"
          onClick={() => void save()}
          disabled={!usable || saving}
          title={reason}
        >
          {saving ? <Spinner /> : null} Save diagnostics…
        </button>
      }
    >
      <p className="muted" data-testid="diagnostics-explain">
        One zip to attach to a report: the last 2000 log lines, the last 500 audit-log entries, this
        checklist, the runtime report, versions, and the settings, mount policy, proxy mappings,
        groups and schedules. Every stored secret (API keys, bot tokens), the API token and proxy
        session tokens are removed first. The same from a terminal:{' '}
        <code>aigo doctor --bundle aigo-diagnostics.zip</code>.
      </p>
      {reason && !usable ? <p className="muted">{reason}</p> : null}
      {saved ? (
        <p className="muted" data-testid="diagnostics-saved">
          Downloaded <code>{saved}</code>: attach it to your report.
        </p>
      ) : null}
    </Card>
  );
}
