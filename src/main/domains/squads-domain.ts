import { defaultWorkspace } from '../services/sessions/session-files';
import type { Logger } from 'pino';
import type { Handlers } from '../dispatch';
import { createSquadHandlers } from '../handlers/squads';
import type { SquadOperationName } from '../../shared/contract';
import type { AuditLog } from '../services/audit/audit-log';
import type { EventBus } from '../services/events/event-bus';
import type { SettingsService } from '../services/settings/settings-service';
import { SquadService } from '../services/squads/squad-service';
import { squadDiagnostics } from '../services/squads/squad-diagnostics';
import type { Diagnostic } from '../../shared/schemas/diagnostics';
import type { SessionsDomain } from './sessions-domain';

export interface SquadsDomainDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  settings: SettingsService;
  agents: SessionsDomain;
}

export interface SquadsDomain {
  squads: SquadService;
  handlers: Pick<Handlers, SquadOperationName>;
  /** For Health and `aigo doctor`. */
  diagnostics(): Diagnostic[];
  stop(): Promise<void>;
}

/** Squad mode: a planner session and task sessions, all through the sessions domain. */
export async function startSquadsDomain(deps: SquadsDomainDeps): Promise<SquadsDomain> {
  const { sessions, groups } = deps.agents;
  const squads = new SquadService({
    dataDir: deps.dataDir,
    bus: deps.bus,
    audit: deps.audit,
    logger: deps.logger.child({ scope: 'squads' }),
    groups,
    sessions: {
      create: (input) => sessions.create(input),
      message: (id, text, overrides) => sessions.message(id, text, overrides),
      close: (id) => sessions.close(id),
      get: (id) => sessions.get(id),
      peek: (id) => sessions.peek(id),
    },
    settings: () => deps.settings.get().squads,
    startProblem: (groupId) => deps.agents.startProblem(groupId),
    workspaceOf: (groupId) => {
      const group = groups.find(groupId);
      if (!group) return null;
      return group.workspaceFolder ?? defaultWorkspace(deps.dataDir, group.folder);
    },
  });
  await squads.start();
  // Tasks that waited for the runtime or the agent image start once it is back.
  // (A group given its own image needs no agent image.)
  let paused = deps.settings.get().sessions.paused;
  const offs = [
    deps.bus.on('runtime.changed', () => squads.resume()),
    deps.bus.on('image.changed', () => squads.resume()),
    deps.bus.on('groups.changed', () => squads.resume()),
    // Before the sessions stop: what Pause stops runs again after the resume.
    deps.bus.on('settings.changed', (s) => {
      if (s.sessions.paused && !paused) squads.agentsPaused();
      paused = s.sessions.paused;
    }),
  ];
  return {
    squads,
    handlers: createSquadHandlers(squads),
    diagnostics: () => {
      const settings = deps.settings.get();
      return squadDiagnostics(squads.list(), {
        squadTasksAtOnce: settings.squads.maxConcurrent,
        agentsAtOnce: settings.sessions.maxConcurrent,
      });
    },
    stop: async () => {
      for (const off of offs) off();
      await squads.stop();
    },
  };
}
