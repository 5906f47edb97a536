import type { Handlers } from '../dispatch';
import type { GroupsService } from '../services/groups/groups-service';
import type { RunHistory } from '../services/sessions/run-history';
import type { SessionService } from '../services/sessions/session-service';
import type { SessionOperationName } from '../../shared/contract';

export interface SessionHandlerDeps {
  groups: GroupsService;
  sessions: SessionService;
  runs: RunHistory;
}

/** Groups, sessions and run history: each operation is one call into its service. */
export function createSessionHandlers(
  deps: SessionHandlerDeps,
): Pick<Handlers, SessionOperationName> {
  return {
    'groups.list': () => ({ groups: deps.groups.list() }),
    'groups.get': ({ id }) => deps.groups.get(id),
    'groups.create': (input) => deps.groups.create(input),
    'groups.update': (input) => deps.groups.update(input),
    'groups.delete': async ({ id }) => {
      await deps.groups.delete(id);
      return { ok: true as const };
    },
    'ipc.directories': ({ group, session }) => deps.sessions.ipcDirectories(group, session),
    'sessions.create': (input) => deps.sessions.create(input),
    'sessions.list': (filter) => ({ sessions: deps.sessions.list(filter) }),
    'sessions.get': ({ id }) => deps.sessions.get(id),
    'sessions.message': ({ id, text }) => deps.sessions.message(id, text),
    'sessions.stop': ({ id }) => deps.sessions.close(id),
    // Runs keep the group's name; accept its id too, as sessions use it.
    'runs.list': (query) =>
      deps.runs.query(
        query.group
          ? { ...query, group: deps.groups.find(query.group)?.name ?? query.group }
          : query,
      ),
    'runs.get': ({ id }) => deps.runs.get(id),
  };
}
