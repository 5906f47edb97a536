import { useState } from 'react';
import { Badge, Card, Spinner } from '../../../components/ui';
import { useApp } from '../../../store';
import { useMounts } from './mounts-store';

/** "Test a path": the exact verdict a container start would get, before any agent asks. */
export function MountTester() {
  const test = useMounts((s) => s.test);
  const verdict = useMounts((s) => s.verdict);
  const testing = useMounts((s) => s.testing);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [hostPath, setHostPath] = useState('');
  const [group, setGroup] = useState('main');
  const [readWrite, setReadWrite] = useState(false);

  return (
    <Card title="Test a path" testId="mount-tester">
      <form
        className="form inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void test({ hostPath, group: group.trim() || 'main', readonly: !readWrite });
        }}
      >
        <input
          aria-label="Path to test"
          data-testid="test-path"
          placeholder="/home/you/projects/app"
          value={hostPath}
          onChange={(e) => setHostPath(e.target.value)}
        />
        <input
          aria-label="Group"
          className="narrow"
          placeholder="group"
          value={group}
          onChange={(e) => setGroup(e.target.value)}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={readWrite}
            onChange={(e) => setReadWrite(e.target.checked)}
          />{' '}
          Read-write
        </label>
        <button
          type="submit"
          className="button primary"
          data-testid="test-run"
          disabled={!canMutate || testing || hostPath.trim() === ''}
        >
          {testing ? <Spinner /> : null} Test
        </button>
      </form>
      {verdict ? (
        <div className={`verdict ${verdict.allowed ? 'ok' : 'bad'}`} data-testid="verdict">
          <div className="verdict-head">
            <Badge tone={verdict.allowed ? 'ok' : 'bad'} testId="verdict-badge">
              {verdict.allowed ? 'Allowed' : 'Refused'}
            </Badge>
            {verdict.allowed ? <span>{verdict.readonly ? 'read-only' : 'read-write'}</span> : null}
          </div>
          <p data-testid="verdict-reason">{verdict.reason}</p>
          {verdict.realPath ? (
            <p>
              Real path: <code data-testid="verdict-real-path">{verdict.realPath}</code>
            </p>
          ) : null}
          {verdict.containerPath ? (
            <p>
              In the container: <code>{verdict.containerPath}</code>
            </p>
          ) : null}
          {verdict.masked.length > 0 ? (
            <div>
              <strong>Hidden from the agent:</strong>
              <ul className="masked" data-testid="verdict-masked">
                {verdict.masked.map((m) => (
                  <li key={m.path}>
                    <code>{m.path}</code>{' '}
                    <span className="muted">
                      ({m.kind}, matches{' '}
                      {m.pattern === 'protected' ? "aigo's own data" : `"${m.pattern}"`})
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {verdict.fix.length > 0 ? (
            <ol className="fix">
              {verdict.fix.map((step) => (
                <li key={step}>{step}</li>
              ))}
            </ol>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
