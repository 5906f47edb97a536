import type { Handlers } from '../dispatch';
import type { SquadOperationName } from '../../shared/contract';
import type { SquadService } from '../services/squads/squad-service';

/** Squads: each operation is one call into the squad service. */
export function createSquadHandlers(squads: SquadService): Pick<Handlers, SquadOperationName> {
  return {
    'squads.create': (input) => squads.create(input),
    'squads.list': (filter) => ({ squads: squads.list(filter) }),
    'squads.get': ({ id }) => squads.get(id),
    'squads.run': ({ id }) => squads.run(id),
    'squads.updatePlan': ({ id, tasks }) => squads.updatePlan(id, tasks),
    'squads.replan': ({ id, feedback }) => squads.replan(id, feedback),
    'squads.message': ({ id, text, task }) => squads.message(id, text, task),
    'squads.cancel': ({ id }) => squads.cancel(id),
    'squads.cancelTask': ({ id, task }) => squads.cancelTask(id, task),
  };
}
