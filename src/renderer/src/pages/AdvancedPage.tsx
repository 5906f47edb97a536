import { Card, CopyButton, Field, Toggle } from '../components/ui';
import { useApp } from '../store';

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
