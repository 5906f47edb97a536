import { useEffect } from 'react';
import type { AnyEvent } from '../../../../shared/contract';
import { useLive } from '../../use-live';
import { onGroupsEvent, useGroups } from '../container/groups/groups-store';
import { Composer } from './Composer';
import { onReadinessEvent, useReadiness } from './readiness-store';
import { SessionList } from './SessionList';
import { onSessionsEvent, useSessions } from './sessions-store';
import { SessionView } from './SessionView';

async function loadAll(): Promise<void> {
  await Promise.all([
    useSessions.getState().load(),
    useGroups.getState().load(),
    useReadiness.getState().load(),
  ]);
}

function onCoworkEvent(event: AnyEvent): void {
  onSessionsEvent(event);
  onGroupsEvent(event);
  onReadinessEvent(event);
}

/**
 * The main screen: recent sessions on the left; on the right, a new task or the session the
 * address names (`#/cowork/<id>`), followed live.
 */
export function CoworkPage({ sessionId }: { sessionId: string | null }) {
  const open = useSessions((s) => s.open);
  useLive(loadAll, onCoworkEvent);
  useEffect(() => {
    void open(sessionId);
  }, [open, sessionId]);
  return (
    <div className="cowork" data-testid="page-cowork">
      <SessionList />
      <section className="cowork-main">{sessionId ? <SessionView /> : <Composer />}</section>
    </div>
  );
}
