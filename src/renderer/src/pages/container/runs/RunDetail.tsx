import type { RunRecord } from '../../../../../shared/schemas/sessions';
import { Badge, Card, CopyButton, ErrorBox, Field } from '../../../components/ui';
import { dateTime, duration } from '../../../format';
import { runHref, sessionHref } from '../../../route';
import { TRIGGER_LABEL } from '../../cowork/session-state';
import { useRuns } from './runs-store';
import { RUN_STATUS } from './run-status';

function Detail({ run }: { run: RunRecord }) {
  const status = RUN_STATUS[run.status];
  return (
    <>
      <Field label="Status">
        <Badge tone={status.tone} testId="run-status">
          {status.label}
        </Badge>
        <span className="muted"> exit code {run.exitCode ?? '—'}</span>
      </Field>
      <Field label="Duration">
        {duration(run.durationMs)}{' '}
        <span className="muted">
          {dateTime(run.startedAt)} → {new Date(run.endedAt).toLocaleTimeString()}
        </span>
      </Field>
      <Field label="Group">{run.group}</Field>
      <Field label="Session">
        <code>{run.session}</code>{' '}
        <a href={sessionHref(run.session)} data-testid="run-open-session">
          Open session →
        </a>
      </Field>
      <Field label="Trigger">{TRIGGER_LABEL[run.trigger]}</Field>
      <Field label="Image">
        <code>{run.image}</code>
      </Field>
      <Field label="Container">
        {run.container ? <code>{run.container}</code> : <span className="muted">none</span>}
      </Field>
      <Field label="Mounts">
        {run.mounts.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="run-mounts">
            {run.mounts.map((m) => (
              <li key={`${m.source}→${m.target}`}>
                <code>{m.source}</code> → <code>{m.target}</code>{' '}
                <Badge tone={m.readonly ? 'muted' : 'warn'}>{m.readonly ? 'ro' : 'rw'}</Badge>
              </li>
            ))}
          </ul>
        )}
      </Field>
      {run.error ? (
        <p className="problem" data-testid="run-error">
          {run.error}
        </p>
      ) : null}
      <div className="run-output">
        <div className="run-output-head">
          <span className="muted">Output (last lines)</span>
          {run.outputTail ? <CopyButton text={run.outputTail} /> : null}
        </div>
        <pre data-testid="run-output">{run.outputTail || '(no output)'}</pre>
      </div>
    </>
  );
}

/** One run in full, with the way back to its session. */
export function RunDetail({ session }: { session: string | null }) {
  const run = useRuns((s) => s.selected);
  const error = useRuns((s) => s.selectedError);
  if (!run && !error) return null;
  return (
    <Card
      title={run ? `Run ${run.id}` : 'Run'}
      testId="run-detail"
      actions={
        <a className="button small ghost" href={runHref(null, session)}>
          Close
        </a>
      }
    >
      {run ? <Detail run={run} /> : <ErrorBox error={error} />}
    </Card>
  );
}
