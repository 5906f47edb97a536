import { isRemoteEndpoint, REMOTE_ENGINE_NOTE } from '../services/runtime/candidates';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Handlers } from '../dispatch';
import { createSessionHandlers } from '../handlers/sessions';
import type { ContainerAuditOperationName, SessionOperationName } from '../../shared/contract';
import { ContainerAuditService } from '../services/container-audit/container-audit-service';
import type { WarningCenter } from '../services/app/warnings';
import type { AuditLog } from '../services/audit/audit-log';
import type { EventBus } from '../services/events/event-bus';
import { GroupsService } from '../services/groups/groups-service';
import type { ImageService } from '../services/image/image-service';
import type { MountSecurityService } from '../services/mounts/mount-security-service';
import type { CredentialProxyService } from '../services/proxy/credential-proxy-service';
import type { RuntimeService } from '../services/runtime/runtime-service';
import { AppleContainerEngine } from '../services/sessions/apple-engine';
import { DockerEngine, type ContainerEngine } from '../services/sessions/docker-engine';
import { loadInstallId } from '../services/sessions/install-id';
import { IpcWatcher } from '../services/sessions/ipc-watcher';
import {
  keepingRouter,
  keepingTaskRouter,
  type MessageRouter,
  type TaskRouter,
} from '../services/sessions/message-router';
import { RUNS_FILE, RunHistory } from '../services/sessions/run-history';
import { SessionService } from '../services/sessions/session-service';
import type { SettingsService } from '../services/settings/settings-service';

export interface SessionsDomainDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  settings: SettingsService;
  runtime: RuntimeService;
  mounts: MountSecurityService;
  proxy: CredentialProxyService;
  image: ImageService;
  /** Where agent messages go; the channels domain replaces the default later. */
  router?: MessageRouter;
  tasks?: TaskRouter;
  /** How long a closed session may finish its step (tests make it short). */
  closeGraceMs?: number;
  /** Removes real API keys from transcripts and run records. */
  scrub?: (text: string) => string;
}

export interface SessionsDomain {
  groups: GroupsService;
  sessions: SessionService;
  runs: RunHistory;
  ipc: IpcWatcher;
  /**
   * An agent could reach this computer's localhost, where the API listens: host networking (an
   * engine without a bridge), or an engine in a VM that forwards host.docker.internal /
   * host.containers.internal to the host's loopback (Docker Desktop, OrbStack, Podman). Then
   * reads need the token too.
   */
  agentsReachLoopback(): boolean;
  /** Why a session of the group could not start now (no runtime, no image), or null. */
  startProblem(groupId: string): string | null;
  /** Where agents' task files go (the scheduler) and their messages go (the channels). */
  setTaskRouter(router: TaskRouter): void;
  setMessageRouter(router: MessageRouter): void;
  /**
   * Starts handing agents' files on — those left from before a restart first. Called once every
   * domain has plugged in its router, so nothing left waiting goes to a stand-in router.
   */
  startIpc(): Promise<void>;
  handlers: Pick<Handlers, SessionOperationName | ContainerAuditOperationName>;
  containerAudit: ContainerAuditService;
  stop(): Promise<void>;
}

const HOST_NETWORK_WARNING = 'AGENTS_ON_HOST_NETWORK';
/** Engines whose host alias reaches the host's 127.0.0.1 (the proxy relies on it there). */
const ENGINE_REFUSED_WARNING = 'ENGINE_REFUSED';

const LOOPBACK_FORWARDING = new Set(['docker_desktop', 'podman']);

/**
 * Groups, agent sessions, the IPC watcher and run history: created, started and wired here,
 * so the composition root only lists the domain.
 */
export async function startSessionsDomain(deps: SessionsDomainDeps): Promise<SessionsDomain> {
  const installId = await loadInstallId(deps.dataDir);
  const logger = deps.logger.child({ scope: 'sessions' });
  const docker = new DockerEngine(
    () => {
      const client = deps.runtime.docker();
      return { short: client.client, stream: client.streamingClient, podman: client.isPodman };
    },
    {
      // The last refusal stays on Health (and in `aigo doctor`) until a container starts again.
      refused: (error) => {
        deps.warnings.resolve(ENGINE_REFUSED_WARNING);
        deps.warnings.add(
          ENGINE_REFUSED_WARNING,
          error.message,
          error.details as Record<string, unknown>,
        );
      },
      started: () => deps.warnings.resolve(ENGINE_REFUSED_WARNING),
    },
  );
  const apple = new AppleContainerEngine();
  // Whichever engine the runtime detected, asked afresh for each call.
  const current = (): ContainerEngine =>
    deps.runtime.status().backend === 'apple_container' ? apple : docker;
  const engine: ContainerEngine = {
    get kind() {
      return current().kind;
    },
    run: (spec) => current().run(spec),
    removeOrphans: (id) => current().removeOrphans(id),
    agentNetwork: (id) => current().agentNetwork(id),
  };
  let network: { key: string; mode: string } | null = null;
  const networkMode = async (): Promise<string> => {
    const status = deps.runtime.status();
    // Host networking chosen in Settings: no bridge is made, whatever the engine offers.
    const chosen = deps.settings.get().runtime.agentNetwork === 'host';
    const key = `${status.endpoint ?? ''} ${chosen ? 'host' : 'auto'}`;
    if (network?.key === key) return network.mode;
    const bridge = chosen ? null : await engine.agentNetwork(installId);
    network = { key, mode: bridge ?? 'host' };
    if (bridge) deps.warnings.resolve(HOST_NETWORK_WARNING);
    else {
      deps.warnings.resolve(HOST_NETWORK_WARNING);
      deps.warnings.add(
        HOST_NETWORK_WARNING,
        chosen
          ? "Agents share this machine's network, as chosen in Settings > Container > Runtime (Agent network: host), so an agent could reach services on localhost. aigo's API now asks for its token even for reads. Choose Automatic to isolate agents on a bridge."
          : "Agents share this machine's network: the container engine has no bridge network (it runs with --bridge=none), so an agent could reach services on localhost. aigo's API now asks for its token even for reads. Give the engine a bridge network to isolate agents.",
      );
    }
    return network.mode;
  };

  const runs = new RunHistory(join(deps.dataDir, RUNS_FILE), deps.bus, deps.scrub);
  await runs.start();
  let sessions: SessionService | null = null;
  let containerAudit: ContainerAuditService | null = null;
  const groups = new GroupsService({
    dataDir: deps.dataDir,
    bus: deps.bus,
    audit: deps.audit,
    logger: logger.child({ part: 'groups' }),
    warnings: deps.warnings,
    mounts: deps.mounts,
    activeSessions: (id) => sessions?.activeCount(id) ?? 0,
  });
  await groups.start();

  const agentImage = () => {
    const status = deps.image.status();
    const usable = status.state === 'ready' || status.state === 'outdated';
    return {
      ref: status.image,
      problem: usable
        ? null
        : `The agent image ${status.image} is ${status.state}. Build it: Settings > Container > Image > Rebuild Image.`,
    };
  };
  const runtimeProblem = () => {
    const r = deps.runtime.status();
    if (!r.available) return `No container runtime: ${r.message}`;
    return isRemoteEndpoint(r.endpoint)
      ? `The engine at ${r.endpoint} cannot run agent sessions. ${REMOTE_ENGINE_NOTE} Choose a local endpoint in Settings > Container > Runtime preferences.`
      : null;
  };

  sessions = new SessionService({
    dataDir: deps.dataDir,
    bus: deps.bus,
    audit: deps.audit,
    logger,
    groups,
    runs,
    engine,
    mounts: deps.mounts,
    proxy: deps.proxy,
    installId,
    networkMode,
    // Asked when a container starts: Intl's time zone data costs ~6 MB of memory once touched.
    timezone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    image: agentImage,
    runtimeProblem,
    maxConcurrent: () => deps.settings.get().sessions.maxConcurrent,
    paused: () => deps.settings.get().sessions.paused,
    // Each new container is audited at once (the audit is created below).
    containerStarted: () => void containerAudit?.run('container start').catch(() => undefined),
    ...(deps.scrub ? { scrub: deps.scrub } : {}),
    ...(deps.closeGraceMs !== undefined ? { closeGraceMs: deps.closeGraceMs } : {}),
  });
  await sessions.start();
  const live = sessions;

  const routers = {
    messages: deps.router ?? keepingRouter,
    tasks: deps.tasks ?? keepingTaskRouter,
  };
  const ipc = new IpcWatcher({
    dataDir: deps.dataDir,
    groups,
    sessions: live.ipcSink,
    // Domains started later (the scheduler, the channels) plug their routers in here.
    router: { deliver: (message) => routers.messages.deliver(message) },
    tasks: { handle: (task) => routers.tasks.handle(task) },
    audit: deps.audit,
    logger: logger.child({ part: 'ipc' }),
  });

  containerAudit = new ContainerAuditService({
    bus: deps.bus,
    audit: deps.audit,
    logger: logger.child({ part: 'security-audit' }),
    installId,
    docker: () => deps.runtime.docker().client,
    podman: () => deps.runtime.docker().isPodman,
    settings: () => deps.settings.get().security,
    launches: () => live.liveLaunches(),
    starting: () => live.startingSessions(),
    protectedPaths: () => deps.mounts.protectedPaths(),
    stopped: (record, reason) => live.noteStopped(record.session, reason, record.containerId),
  });
  const audited = containerAudit;

  // Orphans of a killed aigo go once the engine answers (now, or when it comes back).
  let orphansCleared = false;
  const clearOrphans = async () => {
    if (orphansCleared || !deps.runtime.status().available) return;
    orphansCleared = true;
    try {
      await live.removeOrphans();
      await networkMode();
    } catch (error) {
      orphansCleared = false;
      logger.warn({ err: error }, 'Could not look for orphaned agent containers');
    }
  };
  await clearOrphans();
  audited.start();
  const offRuntime = deps.bus.on('runtime.changed', () => void clearOrphans());
  // A new audit interval applies at once.
  let interval = deps.settings.get().security.auditIntervalMinutes;
  let paused = deps.settings.get().sessions.paused;
  const offSettings = deps.bus.on('settings.changed', (s) => {
    if (s.sessions.paused !== paused) {
      paused = s.sessions.paused;
      void live.pausedChanged(paused).catch((error: unknown) => {
        logger.warn({ err: error }, 'Could not pause or resume the agents');
      });
    }
    if (s.security.auditIntervalMinutes === interval) return;
    interval = s.security.auditIntervalMinutes;
    audited.reschedule();
  });

  return {
    groups,
    sessions: live,
    runs,
    ipc,
    agentsReachLoopback: () =>
      network?.mode === 'host' ||
      deps.settings.get().runtime.agentNetwork === 'host' ||
      LOOPBACK_FORWARDING.has(deps.runtime.status().networking.source ?? ''),
    startProblem: (groupId) =>
      runtimeProblem() ??
      (groups.find(groupId)?.containerConfig.image ? null : agentImage().problem),
    setTaskRouter: (router) => (routers.tasks = router),
    setMessageRouter: (router) => (routers.messages = router),
    startIpc: () => ipc.start(),
    handlers: {
      ...createSessionHandlers({ groups, sessions: live, runs }),
      'securityAudit.get': () => audited.status(),
      'securityAudit.run': () => audited.run('requested'),
    },
    containerAudit: audited,
    stop: async () => {
      offRuntime();
      offSettings();
      await audited.stop();
      await ipc.stop();
      await live.stop();
      await runs.flush();
      await groups.stop();
    },
  };
}
