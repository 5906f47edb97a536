import { useEffect, useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import { transport } from '../../call';
import { squadHref } from '../../route';

/** A squad's planner or task session: the way back to its squad (found among the squads). */
export function SquadLink({ session }: { session: string }) {
  const [found, setFound] = useState<{ squad: Squad; task: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    void transport()
      .call('squads.list', { limit: 500 })
      .then(({ squads }) => {
        for (const squad of squads) {
          const task = squad.tasks.find((t) => t.session === session);
          if (task || squad.planner.session === session) {
            if (live) setFound({ squad, task: task?.id ?? null });
            return;
          }
        }
      })
      .catch(() => undefined); // the plain "Squad" label stays
    return () => {
      live = false;
    };
  }, [session]);
  if (!found) return <span>Squad</span>;
  const goal = found.squad.goal.replace(/\s+/g, ' ');
  return (
    <a href={squadHref(found.squad.id, found.task)} data-testid="session-squad-link" title={goal}>
      {found.task ? `Task ${found.task} of a squad` : 'Planner of a squad'}: {goal.slice(0, 40)}
      {goal.length > 40 ? '…' : ''}
    </a>
  );
}
