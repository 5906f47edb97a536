import { useEffect } from 'react';
import type { AnyEvent } from '../../../../shared/contract';
import { useLive } from '../../use-live';
import { onGroupsEvent, useGroups } from '../container/groups/groups-store';
import { onReadinessEvent, useReadiness } from '../cowork/readiness-store';
import { NewSquadForm } from './NewSquadForm';
import { SquadList } from './SquadList';
import { onSquadsEvent, useSquads } from './squads-store';
import { SquadView } from './SquadView';
import './squads.css';

async function loadAll(): Promise<void> {
  await Promise.all([
    useSquads.getState().load(),
    useGroups.getState().load(),
    useReadiness.getState().load(),
  ]);
}

function onSquadPageEvent(event: AnyEvent): void {
  onSquadsEvent(event);
  onGroupsEvent(event);
  onReadinessEvent(event);
}

/**
 * Squad mode: squads on the left; on the right, a new squad or the one the address names
 * (`#/squads/<id>`, with `/<task>` for an open task), followed live.
 */
export function SquadsPage({ squadId, taskId }: { squadId: string | null; taskId: string | null }) {
  const open = useSquads((s) => s.open);
  useLive(loadAll, onSquadPageEvent);
  useEffect(() => {
    void open(squadId);
  }, [open, squadId]);
  return (
    <div className="cowork squads" data-testid="page-squads">
      <SquadList />
      <section className="cowork-main squad-main">
        {squadId ? <SquadView key={squadId} taskId={taskId} /> : <NewSquadForm />}
      </section>
    </div>
  );
}
