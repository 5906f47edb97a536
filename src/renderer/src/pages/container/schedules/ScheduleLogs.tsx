import type { ScheduleRunLog } from '../../../../../shared/schemas/schedules';
import { Badge, Card, CopyButton, ErrorBox, Spinner } from '../../../components/ui';
import { clock, dateTime, duration } from '../../../format';
import { scheduleHref, sessionHref } from '../../../route';
import { SCHEDULE_STATUS } from './schedule-status';
import { useSchedules } from './schedules-store';

function LogRow({ log }: { log: ScheduleRunLog }) {
  const status = SCHEDULE_STATUS[log.status];
  const took = log.endedAt ? Date.parse(log.endedAt) - Date.parse(log.startedAt) : null;
  return (
    <li className="schedule-log-row" data-testid="schedule-log-row" data-status={log.status}>
      <div className="schedule-log-line">
        <Badge tone={status.tone}>{status.label}</Badge>
        <span>
          <span className="muted">for </span>
          <time dateTime={log.scheduledFor}>{dateTime(log.scheduledFor)}</time>
        </span>
        <span>
          <span className="muted">started </span>
          <time dateTime={log.startedAt}>{clock(log.startedAt)}</time>
        </span>
        <span className={log.lateByMs >= 60_000 ? 'late' : 'muted'}>
          {log.lateByMs > 0 ? `${duration(log.lateByMs)} late` : 'on time'}
        </span>
        <span className="muted">
          {took !== null ? `took ${duration(took)}` : log.status === 'running' ? 'under way' : ''}
        </span>
        {log.sessionId ? (
          <a href={sessionHref(log.sessionId)} data-testid="schedule-log-session">
            Session →
          </a>
        ) : (
          <span className="muted">no session</span>
        )}
      </div>
      {log.error ? (
        <div className="schedule-log-error" data-testid="schedule-log-error">
          {log.error}
        </div>
      ) : null}
      {log.outputTail ? (
        <details className="run-output schedule-log-output">
          <summary>Output (last lines)</summary>
          <div className="run-output-head">
            <span className="muted">What the run printed last</span>
            <CopyButton text={log.outputTail} />
          </div>
          <pre data-testid="schedule-log-output">{log.outputTail}</pre>
        </details>
      ) : null}
    </li>
  );
}

/** A schedule's run log, newest first (a run under way at the top), live. */
export function ScheduleLogs() {
  const id = useSchedules((s) => s.logsFor);
  const logs = useSchedules((s) => s.logs);
  const error = useSchedules((s) => s.logsError);
  const loading = useSchedules((s) => s.logsLoading);
  const reload = useSchedules((s) => s.loadLogs);
  const schedule = useSchedules((s) => s.schedules?.find((x) => x.id === id || x.name === id));
  if (!id) return null;
  return (
    <Card
      title={`Run log${schedule ? ` — ${schedule.name}` : ''}`}
      testId="schedule-logs"
      actions={
        <>
          {loading ? <Spinner /> : null}
          <button type="button" className="button small ghost" onClick={() => void reload()}>
            Refresh
          </button>
          <a className="button small ghost" href={scheduleHref(null)}>
            Close
          </a>
        </>
      }
    >
      {error ? <ErrorBox error={error} testId="schedule-logs-error" /> : null}
      {!logs && !error ? <p className="muted">Loading…</p> : null}
      {logs?.length === 0 ? (
        <p className="empty">
          No runs yet. The first one shows up here when it starts; press Run now to try it.
        </p>
      ) : null}
      {logs && logs.length > 0 ? (
        <ul className="run-list schedule-log-list">
          {logs.map((log) => (
            <LogRow key={log.runId} log={log} />
          ))}
        </ul>
      ) : null}
      {logs && logs.length >= 50 ? <p className="muted small">The newest 50 runs.</p> : null}
    </Card>
  );
}
