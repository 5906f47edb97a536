import { useEffect } from 'react';
import type { AnyEvent } from '../../../../../shared/contract';
import type { RunRecord, RunStatus } from '../../../../../shared/schemas/sessions';
import { Badge, Card, Spinner } from '../../../components/ui';
import { dateTime, duration } from '../../../format';
import { navigate, runHref } from '../../../route';
import { useLive } from '../../../use-live';
import { onGroupsEvent, useGroups } from '../groups/groups-store';
import { RunDetail } from './RunDetail';
import { onRunsEvent, useRuns } from './runs-store';
import { RUN_STATUS } from './run-status';

async function loadRuns(): Promise<void> {
  await Promise.all([useRuns.getState().load(), useGroups.getState().load()]);
}

function onEvent(event: AnyEvent): void {
  onRunsEvent(event);
  onGroupsEvent(event);
}

function RunRow({
  run,
  selected,
  session,
}: {
  run: RunRecord;
  selected: boolean;
  session: string | null;
}) {
  const status = RUN_STATUS[run.status];
  return (
    <li>
      <a
        href={runHref(run.id, session)}
        className={`run-row${selected ? ' active' : ''}`}
        data-testid="run-row"
        data-status={run.status}
        aria-current={selected ? 'true' : undefined}
      >
        <Badge tone={status.tone}>{status.label}</Badge>
        <span className="run-group">{run.group}</span>
        <span className="muted">{dateTime(run.startedAt)}</span>
        <span className="muted">{duration(run.durationMs)}</span>
        <span className="muted">exit {run.exitCode ?? '—'}</span>
        <span className="run-error-preview">{run.error ?? ''}</span>
      </a>
    </li>
  );
}

/** Settings > Container > Runs: the run history, filtered and paged, with one run's detail. */
export function RunsSection({ runId, session }: { runId: string | null; session: string | null }) {
  const { filter, runs, more, loading, setFilter, loadOlder, select } = useRuns();
  const groups = useGroups((s) => s.groups);
  useEffect(() => {
    void setFilter({ session: session ?? '' });
  }, [session, setFilter]);
  useLive(loadRuns, onEvent);
  useEffect(() => {
    void select(runId);
  }, [runId, select]);
  const filtered = Boolean(filter.group || filter.status || filter.session);

  return (
    <>
      <RunDetail session={session} />
      <Card title="Run history" testId="runs-card">
        <div className="form inline-form">
          <select
            aria-label="Group"
            data-testid="runs-group"
            value={filter.group}
            onChange={(e) => void setFilter({ group: e.target.value })}
          >
            <option value="">All groups</option>
            {groups?.map((g) => (
              <option key={g.id} value={g.name}>
                {g.name}
              </option>
            ))}
          </select>
          <select
            aria-label="Status"
            data-testid="runs-status"
            value={filter.status}
            onChange={(e) => void setFilter({ status: e.target.value as RunStatus | '' })}
          >
            <option value="">All results</option>
            {Object.entries(RUN_STATUS).map(([id, s]) => (
              <option key={id} value={id}>
                {s.label}
              </option>
            ))}
          </select>
          {filter.session ? (
            <span className="chip">
              session {filter.session}
              <button
                type="button"
                aria-label="Show every session"
                onClick={() => navigate(runHref(runId, null))}
              >
                ×
              </button>
            </span>
          ) : null}
          {loading ? <Spinner /> : null}
        </div>
        {runs.length === 0 && !loading ? (
          <p className="empty">
            {filtered
              ? 'No runs match this filter.'
              : 'No container runs yet. Start a task on the Cowork page and its runs show up here.'}
          </p>
        ) : null}
        {runs.length > 0 ? (
          <ul className="run-list">
            {runs.map((r) => (
              <RunRow key={r.id} run={r} selected={r.id === runId} session={session} />
            ))}
          </ul>
        ) : null}
        {more ? (
          <button
            type="button"
            className="button"
            onClick={() => void loadOlder()}
            disabled={loading}
          >
            Load older
          </button>
        ) : null}
      </Card>
    </>
  );
}
