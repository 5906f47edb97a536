import { Card, CopyButton, Field, Toggle } from '../components/ui';
import type { Settings } from '../../../shared/schemas/settings';
import { useApp } from '../store';

const NOTIFICATION_KINDS: [keyof Settings['notifications'], string][] = [
  ['sessionFinished', 'An agent finished its task'],
  ['sessionFailed', 'An agent failed or timed out'],
  ['securityViolation', 'A security violation was blocked'],
  ['imageOutdated', 'The agent image became outdated'],
  ['channelDisconnected', 'A chat channel disconnected for good'],
];

export function AdvancedPage() {
  const info = useApp((s) => s.info);
  const settings = useApp((s) => s.settings);
  const logLevel = useApp((s) => s.logLevel);
  const update = useApp((s) => s.updateSettings);
  const openDataDir = useApp((s) => s.openDataDir);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  if (!info || !settings) return <div className="page">Loading…</div>;
  return (
    <div className="page" data-testid="page-advanced">
      <h1>Advanced</h1>
      <Card title="Logging">
        <Toggle
          label="Debug Logging"
          testId="debug-logging"
          checked={settings.advanced.debugLogging}
          disabled={!canMutate}
          onChange={(debugLogging) => void update({ advanced: { debugLogging } })}
        />
        <p className="muted">
          Current level: <strong data-testid="log-level">{logLevel}</strong>. Collect the log with{' '}
          <code>aigo logs --last 500</code>.
        </p>
      </Card>
      <Card title="Desktop app" testId="desktop-settings">
        <Toggle
          label="Start at login (in the tray, without a window)"
          testId="start-at-login"
          checked={settings.desktop.startAtLogin}
          disabled={!canMutate}
          onChange={(startAtLogin) => void update({ desktop: { startAtLogin } })}
        />
        <Toggle
          label="Quit when the window is closed (instead of staying in the tray)"
          testId="quit-on-close"
          checked={settings.desktop.quitOnWindowClose}
          disabled={!canMutate}
          onChange={(quitOnWindowClose) => void update({ desktop: { quitOnWindowClose } })}
        />
        {info.mode === 'desktop' ? null : (
          <p className="muted" data-testid="desktop-only-note">
            These apply to the desktop app. For <code>aigo serve</code> on this machine, start it at
            login with <code>aigo service install</code> (a systemd user unit on Linux, a launchd
            agent on macOS).
          </p>
        )}
      </Card>
      <Card title="Notifications" testId="notification-settings">
        <p className="muted">
          The desktop app notifies you of what needs you, at most 3 of a kind a minute; a click
          opens the place to act.
        </p>
        {NOTIFICATION_KINDS.map(([kind, label]) => (
          <Toggle
            key={kind}
            label={label}
            testId={`notify-${kind}`}
            checked={settings.notifications[kind]}
            disabled={!canMutate}
            onChange={(on) => void update({ notifications: { [kind]: on } })}
          />
        ))}
      </Card>
      <Card title="Data folder">
        <Field label="Location">
          <code data-testid="data-dir">{info.dataDir}</code> <CopyButton text={info.dataDir} />
        </Field>
        <button
          type="button"
          className="button"
          onClick={() => void openDataDir()}
          disabled={!info.capabilities.openPath || !canMutate}
          title={
            info.capabilities.openPath
              ? undefined
              : 'This machine has no desktop to open it on; copy the path instead.'
          }
        >
          Open
        </button>
        {info.capabilities.openPath ? null : (
          <p className="muted">
            This machine has no desktop to open the folder on; copy the path instead.
          </p>
        )}
      </Card>
      <Card title="About">
        <Field label="Version" testId="app-version">
          {info.version}
        </Field>
        <Field label="Mode">
          {info.mode === 'desktop' ? 'Desktop app' : 'Headless (aigo serve)'}
        </Field>
        <Field label="Local API">
          <code>{info.apiUrl}/api/v1</code>{' '}
          <a href={`${info.apiUrl}/api/v1/openapi.json`} target="_blank" rel="noreferrer">
            OpenAPI
          </a>
        </Field>
        <Field label="Platform">
          {info.platform} {info.arch}, Node {info.nodeVersion}
        </Field>
      </Card>
    </div>
  );
}
