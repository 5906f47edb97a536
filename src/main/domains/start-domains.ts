import type { Handlers } from '../dispatch';
import type { EngineServices, EngineServicesDeps } from '../engine-services';
import type { AppInfo } from '../../shared/schemas/app';
import type { OperationDef } from '../../shared/contract/define';
import type { HostShell } from '../services/app/host-shell';
import type { ChannelsDomain } from './channels-domain';
import type { SchedulerDomain } from './scheduler-domain';
import type { SessionsDomain } from './sessions-domain';
import type { SquadsDomain } from './squads-domain';

/** What the engine's services need, and what the domains need besides. */
export interface DomainsDeps extends EngineServicesDeps {
  shell: HostShell;
  info: () => AppInfo;
  /** Takes each started part's stop, so the app stops them in reverse. */
  onStop: (stop: () => Promise<void>) => void;
  /** Throws once the start-up has been stopped: it unwinds at the next part. */
  stillStarting: () => void;
  /** Filled as the parts start: the API's early answers and webhooks use them meanwhile. */
  started: { engine?: EngineServices; agents?: SessionsDomain; chat?: ChannelsDomain };
}

export interface Domains {
  engine: EngineServices;
  agents: SessionsDomain;
  scheduling: SchedulerDomain;
  squadding: SquadsDomain;
  chat: ChannelsDomain;
  /** Every operation's handler. */
  handlers: Handlers;
  /** Every operation of the contract. */
  operations: Readonly<Record<string, OperationDef>>;
}

/**
 * Everything the API's first answers do not need, in dependency order: the services that
 * talk to the container engine, then the sessions, scheduler, squads and channels domains.
 * Each part loads once the requests that are in have been answered (afterWaitingAnswers).
 */
export async function startDomains(deps: DomainsDeps): Promise<Domains> {
  const { options, dataDir, bus, audit, logger, warnings, settings, onStop } = deps;

  const { createEngineServices } = await afterWaitingAnswers(() => import('../engine-services'));
  const engine = createEngineServices(deps);
  deps.started.engine = engine;
  const { runtime, mounts, secrets, proxy, image } = engine;
  await engine.start(onStop);
  deps.stillStarting();

  const { startSessionsDomain } = await afterWaitingAnswers(() => import('./sessions-domain'));
  const agents = await startSessionsDomain({
    dataDir,
    bus,
    audit,
    logger,
    warnings,
    settings,
    runtime,
    mounts,
    proxy,
    image,
    ...(options.sessionCloseGraceMs !== undefined
      ? { closeGraceMs: options.sessionCloseGraceMs }
      : {}),
    scrub: (text) => secrets.scrub(text),
  });
  onStop(() => agents.stop());
  deps.started.agents = agents;
  deps.stillStarting();

  const { startSchedulerDomain } = await afterWaitingAnswers(() => import('./scheduler-domain'));
  const scheduling = await startSchedulerDomain({ dataDir, bus, audit, logger, warnings, agents });
  onStop(() => scheduling.stop());

  const { startSquadsDomain } = await afterWaitingAnswers(() => import('./squads-domain'));
  const squadding = await startSquadsDomain({ dataDir, bus, audit, logger, settings, agents });
  onStop(() => squadding.stop());

  const { startChannelsDomain } = await afterWaitingAnswers(() => import('./channels-domain'));
  const chat = await startChannelsDomain({
    dataDir,
    bus,
    audit,
    logger,
    warnings,
    secrets,
    agents,
    ...(options.channelEndpoints ? { endpoints: options.channelEndpoints } : {}),
  });
  onStop(() => chat.stop());
  // Every router is in place (scheduler tasks, channel messages): agents' files may flow.
  await agents.startIpc();
  deps.stillStarting();
  deps.started.chat = chat;

  const [{ createHandlers }, { pauseDiagnostic }, contract] = await afterWaitingAnswers(() =>
    Promise.all([
      import('../handlers'),
      import('../services/app/diagnostics'),
      import('../../shared/contract/operations'),
    ]),
  );
  const handlers: Handlers = {
    ...createHandlers({
      info: deps.info,
      logLevel: () => logger.level,
      settings,
      audit,
      runtime,
      mounts,
      proxy,
      image,
      warnings,
      shell: deps.shell,
      groups: agents.groups,
      sessions: agents.sessions,
      runs: agents.runs,
      extraDiagnostics: async () => [
        pauseDiagnostic(
          settings.get().sessions.paused,
          agents.sessions.list({ state: 'queued' }).length,
        ),
        ...agents.containerAudit.diagnostics(),
        ...chat.diagnostics(),
        ...squadding.diagnostics(),
        ...(await scheduling.diagnostics()),
      ],
    }),
    ...agents.handlers,
    ...scheduling.handlers,
    ...squadding.handlers,
    ...chat.handlers,
  };
  return { engine, agents, scheduling, squadding, chat, handlers, operations: contract.operations };
}

/**
 * Loads the next part of the app once the requests that are in (the first one comes with the
 * printed link) have been answered: a module's first load holds the event loop for its whole
 * length, so the start-up goes in parts with the API answering in between. Two turns of the
 * event loop: in the first a waiting connection is accepted, in the second its request is read
 * (and an early operation answered) before the next part holds the loop again.
 */
export async function afterWaitingAnswers<T>(load: () => Promise<T>): Promise<T> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  return load();
}
