import { useState } from 'react';
import type { Schedule } from '../../../../../shared/schemas/schedules';
import type { ErrorInfo } from '../../../call';
import { Badge, ConfirmDeleteActions, ErrorBox, Spinner, Toggle } from '../../../components/ui';
import { ago, fromNow, whenLocal } from '../../../format';
import { scheduleHref, sessionHref } from '../../../route';
import { useApp } from '../../../store';
import { SCHEDULE_STATUS } from './schedule-status';
import { specKey, useSchedules } from './schedules-store';

/** When it fires next, in this computer's time and from now; or why it does not. */
function NextRun({ schedule, now }: { schedule: Schedule; now: number }) {
  if (!schedule.enabled) return <>Paused: no runs until you turn it back on.</>;
  if (!schedule.nextRun)
    return <>{schedule.schedule.type === 'once' ? 'Done: it ran once.' : 'No further runs.'}</>;
  return (
    <>
      Next run <time dateTime={schedule.nextRun}>{whenLocal(schedule.nextRun)}</time> (
      <span data-testid="schedule-next-relative">{fromNow(schedule.nextRun, now)}</span>)
    </>
  );
}

/** One schedule: what and when, whether it is on, how it went last, and what to do with it. */
export function ScheduleRow({
  schedule,
  now,
  logsOpen,
  onEdit,
}: {
  schedule: Schedule;
  now: number;
  logsOpen: boolean;
  onEdit(): void;
}) {
  const { setEnabled, run, remove } = useSchedules.getState();
  const description = useSchedules(
    (s) => s.descriptions[specKey(schedule.schedule, schedule.timezone)],
  );
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [toggling, setToggling] = useState<boolean | null>(null);
  const [starting, setStarting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const running = schedule.runningSession !== null;
  const status = running ? 'running' : schedule.lastStatus;

  const toggle = async (enabled: boolean) => {
    setError(null);
    setToggling(enabled);
    const outcome = await setEnabled(schedule.id, enabled);
    setToggling(null);
    if (!outcome.ok) setError(outcome.error);
  };
  const runNow = async () => {
    setError(null);
    setStarting(true);
    const outcome = await run(schedule.id);
    setStarting(false);
    if (!outcome.ok) setError(outcome.error);
    else if (outcome.value.status === 'skipped' || outcome.value.status === 'failed')
      setError({ code: 'RUN_' + outcome.value.status, message: outcome.value.error ?? '' });
  };
  const confirmDelete = async () => {
    setDeleting(true);
    const outcome = await remove(schedule.id);
    setDeleting(false);
    setConfirming(false);
    if (!outcome.ok) setError(outcome.error);
  };

  return (
    <li
      className={`row schedule-row${schedule.enabled ? '' : ' paused'}`}
      data-testid="schedule-row"
      data-schedule={schedule.name}
      data-enabled={String(schedule.enabled)}
      data-status={status ?? 'none'}
    >
      <div className="row-main">
        <strong>{schedule.name}</strong>
        <Badge tone="muted">{schedule.group}</Badge>
        {status ? (
          <Badge tone={SCHEDULE_STATUS[status].tone} testId="schedule-status">
            {SCHEDULE_STATUS[status].label}
          </Badge>
        ) : null}
        {schedule.lastRun ? (
          <span className="schedule-last">last run {ago(schedule.lastRun, now)}</span>
        ) : null}
        <div className="schedule-when" data-testid="schedule-description">
          {description ?? <code>{schedule.schedule.value}</code>}
        </div>
        <div className="muted" data-testid="schedule-next">
          <NextRun schedule={schedule} now={now} />
        </div>
        <div className="muted schedule-prompt" title={schedule.prompt}>
          “{schedule.prompt}”
        </div>
        {running ? (
          <a href={sessionHref(schedule.runningSession)} data-testid="schedule-watch">
            Watch the run in Cowork →
          </a>
        ) : null}
        {confirming ? (
          <div className="confirm" role="alertdialog">
            <p>
              Delete the schedule “{schedule.name}” and its run log? Sessions it started stay in
              Cowork.
            </p>
            <ConfirmDeleteActions
              testId="schedule-delete-confirm"
              deleting={deleting}
              onConfirm={() => void confirmDelete()}
              onCancel={() => setConfirming(false)}
            />
          </div>
        ) : null}
        {error ? (
          <div className="row-error">
            <ErrorBox error={error} testId="schedule-row-error" />
          </div>
        ) : null}
      </div>
      <div className="schedule-side">
        <Toggle
          label={(toggling ?? schedule.enabled) ? 'On' : 'Paused'}
          testId="schedule-enabled"
          checked={toggling ?? schedule.enabled}
          disabled={!canMutate || toggling !== null}
          onChange={(next) => void toggle(next)}
        />
        <div className="row-actions">
          <button
            type="button"
            className="button small primary"
            data-testid="schedule-run"
            disabled={!canMutate || starting || running}
            title={running ? 'A run is under way' : 'Start a run now; the timing stays as it is'}
            onClick={() => void runNow()}
          >
            {starting ? <Spinner /> : null} Run now
          </button>
          <a
            className={`button small${logsOpen ? ' active' : ''}`}
            href={scheduleHref(logsOpen ? null : schedule.id)}
            data-testid="schedule-logs-open"
            aria-pressed={logsOpen}
          >
            Log
          </a>
          <button
            type="button"
            className="button small"
            data-testid="schedule-edit"
            onClick={onEdit}
          >
            Edit
          </button>
          <button
            type="button"
            className="button small"
            data-testid="schedule-delete"
            disabled={!canMutate || confirming}
            onClick={() => {
              setError(null);
              setConfirming(true);
            }}
          >
            Delete
          </button>
        </div>
      </div>
    </li>
  );
}
