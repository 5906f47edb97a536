import { useEffect, useState } from 'react';
import type { AnyEvent } from '../../../../../shared/contract';
import { Card, Reveal } from '../../../components/ui';
import { useApp } from '../../../store';
import { useLive } from '../../../use-live';
import { useNow } from '../../../use-now';
import { onGroupsEvent, useGroups } from '../groups/groups-store';
import { EXAMPLE, type ScheduleDraft } from './schedule-draft';
import { ScheduleForm } from './ScheduleForm';
import { ScheduleLogs } from './ScheduleLogs';
import { ScheduleRow } from './ScheduleRow';
import { onSchedulesEvent, useSchedules } from './schedules-store';

async function loadAll(): Promise<void> {
  await Promise.all([useSchedules.getState().load(), useGroups.getState().load()]);
}

function onEvent(event: AnyEvent): void {
  onSchedulesEvent(event);
  onGroupsEvent(event);
}

/** What the form is open for: a new schedule (maybe the example), or one by id. */
type Editing = { kind: 'new'; preset?: Partial<ScheduleDraft> } | { kind: 'edit'; id: string };

function EmptyState({ onExample, disabled }: { onExample(): void; disabled: boolean }) {
  return (
    <div className="empty schedules-empty" data-testid="schedules-empty">
      <p>
        <strong>No schedules yet.</strong> A schedule starts an agent on its own: at set times (a
        cron expression, in your time zone), every so often, or once. Each run is an ordinary
        session in the group’s container, which you can open in Cowork; its outcome lands in the
        schedule’s run log.
      </p>
      <div className="schedule-example">
        <span className="muted">For example</span>
        <strong>Every weekday at 09:00: summarise my inbox</strong>
        <code>0 9 * * 1-5</code>
        <button type="button" className="button small" disabled={disabled} onClick={onExample}>
          Use this example
        </button>
      </div>
    </div>
  );
}

/** Settings > Container > Schedules: every schedule, live, with its form and its run log. */
export function SchedulesSection({ logsFor }: { logsFor: string | null }) {
  const schedules = useSchedules((s) => s.schedules);
  const showLogs = useSchedules((s) => s.showLogs);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const now = useNow(30_000);
  useLive(loadAll, onEvent);
  useEffect(() => {
    void showLogs(logsFor);
  }, [logsFor, showLogs]);
  const edited = editing?.kind === 'edit' ? schedules?.find((s) => s.id === editing.id) : undefined;
  const active = schedules?.filter((s) => s.enabled).length ?? 0;

  return (
    <>
      <Card
        title={
          schedules && schedules.length > 0
            ? `Schedules · ${active} of ${schedules.length} on`
            : 'Schedules'
        }
        testId="schedules-card"
        actions={
          <button
            type="button"
            className="button primary"
            data-testid="schedule-new"
            disabled={!canMutate || editing?.kind === 'new'}
            onClick={() => setEditing({ kind: 'new' })}
          >
            New Schedule
          </button>
        }
      >
        {!schedules ? <p className="muted">Loading…</p> : null}
        {schedules?.length === 0 ? (
          <EmptyState
            disabled={!canMutate}
            onExample={() => setEditing({ kind: 'new', preset: EXAMPLE })}
          />
        ) : null}
        {schedules && schedules.length > 0 ? (
          <ul className="rows">
            {schedules.map((s) => (
              <ScheduleRow
                key={s.id}
                schedule={s}
                now={now}
                logsOpen={logsFor === s.id}
                onEdit={() => setEditing({ kind: 'edit', id: s.id })}
              />
            ))}
          </ul>
        ) : null}
      </Card>
      {editing?.kind === 'new' ? (
        <Reveal key={`new:${editing.preset ? 'example' : ''}`}>
          <Card title="New schedule" testId="schedule-editor">
            <ScheduleForm schedule={null} preset={editing.preset} onDone={() => setEditing(null)} />
          </Card>
        </Reveal>
      ) : edited ? (
        <Reveal key={edited.id}>
          <Card title={`Edit schedule “${edited.name}”`} testId="schedule-editor">
            <ScheduleForm schedule={edited} onDone={() => setEditing(null)} />
          </Card>
        </Reveal>
      ) : null}
      {logsFor ? (
        <Reveal key={logsFor}>
          <ScheduleLogs />
        </Reveal>
      ) : null}
    </>
  );
}
