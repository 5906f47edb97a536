import { mkdir } from 'node:fs/promises';
import type { AppCore, AppOptions } from './app-options';
import { arch, platform } from 'node:os';
import type { AppInfo } from '../shared/schemas/app';
import { createDispatcher, startupDispatcher, type StartupDispatch } from './dispatch';
import { attachApi, STOP_GRACE_MS } from './http/server';
import { openApiListener, type ApiListener } from './http/api-listener';
import type { Logger } from 'pino';
import { loadOrCreateApiToken } from './services/app/api-token';
import { removeDiscovery, writeDiscovery } from './services/app/discovery';
import { acquireInstanceLock } from './services/app/instance-lock';
import { headlessShell } from './services/app/host-shell';
import { MemoryReducer } from './services/app/memory-reducer';
import { releaseOptimizingCompilers } from './services/app/optimizing-compilers';
import { dataPaths, DEFAULT_API_HOST, DEFAULT_API_PORT } from './services/app/paths';
import { WarningCenter } from './services/app/warnings';
import { AuditLog } from './services/audit/audit-log';
import { retentionFromSettings } from './services/audit/retention';
import { EventBus } from './services/events/event-bus';
import { createAppLogger } from './services/logging/logger';
import { SettingsService } from './services/settings/settings-service';
import type { ChannelsDomain } from './domains/channels-domain';
import type { SessionsDomain } from './domains/sessions-domain';
import type { EngineServices } from './engine-services';
import { CHANNEL_WEBHOOK_PATHS } from './services/channels/webhook-paths';
import { detectingStatus } from './services/runtime/initial-status';
import { coreOperations } from '../shared/contract/core-operations';
import { OperationTable } from './operation-table';
import { AppError } from '../shared/errors';
import { appVersion } from './version';

export type { AppCore, AppOptions } from './app-options';

/**
 * The composition root. Services start in dependency order and stop in reverse:
 *  1. data folder (0700)      — everything below writes into it; one instance per folder (aigo.lock)
 *  2. API token, listener     — the socket opens and the link goes out before any service
 *                               starts; a request meanwhile waits (held) for step 7
 *  3. discovery file          — the CLI finds the app from here on
 *  4. logger                  — every service logs
 *  5. event bus, warnings     — services emit into them
 *  6. settings                — decides the log level and runtime preferences
 *  7. audit log, HTTP API     — the API's handler is attached: the runtime's status, settings
 *                               and app info answer at once; every other operation waits until
 *                               step 9 is over, so no handler ever sees a service half started
 *                               (startupDispatcher)
 *  8. container runtime       — detection and its background monitor
 *  8b. mount security         — the allowlist; protects the runtime's socket, so after 8
 *  8c. credential proxy       — binds where containers reach the host, so after 8
 *  8d. agent image            — inspects and builds through the runtime, so after 8
 *  9. domains                 — sessions, scheduler, squads, channels; then every operation
 * 10. memory reducer          — gives back what start-up grew, once the app is quiet
 * The API stops first, the rest in reverse order.
 */
export async function createApp(options: AppOptions): Promise<AppCore> {
  const paths = dataPaths(options.dataDir);
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = await acquireInstanceLock(paths.dataDir);
  const version = appVersion();
  const startedAt = new Date().toISOString();
  const host = options.host ?? DEFAULT_API_HOST;

  // The API listens before any service starts, and its link goes out now: the moment a
  // browser or the CLI takes to connect overlaps with the start-up. What they send meanwhile
  // waits (held) for the handler attached below.
  let token: string;
  let listener: ApiListener;
  try {
    token = await loadOrCreateApiToken(paths.tokenFile);
    listener = await openApiListener({ host, port: options.port ?? DEFAULT_API_PORT });
  } catch (error) {
    await releaseLock();
    throw error;
  }
  options.onListening?.({ url: listener.url, token });

  const stack: (() => Promise<void>)[] = [releaseLock];
  // The surface stops first: no request reaches a service that is stopping.
  let failure: string | null = null;
  // The discovery file goes before the API stops, so the CLI never finds a dead URL.
  let stopApi: (() => Promise<void>) | null = async () => {
    await removeDiscovery(paths.discoveryFile, process.pid);
    // Never attached (the start-up failed early): what waited is told why.
    await listener.stop(failure ?? 'aigo is stopping. Try again once it runs.', STOP_GRACE_MS);
  };
  let appLogger: Logger | null = null;
  let startup: StartupDispatch | null = null;
  // Settles once every operation has its route (or the start-up failed).
  const domainsLoaded = settledLater();
  // The platforms' webhooks are served from the start: answered 503 (the platforms retry)
  // until the channels, and the files their agents write, run.
  let startedChat: ChannelsDomain | null = null;
  const stopAll = async () => {
    if (stopApi) stack.push(stopApi);
    stopApi = null;
    for (const stop of stack.reverse()) {
      try {
        await stop();
      } catch (error) {
        appLogger?.error({ err: error }, 'A service did not stop cleanly');
      }
    }
    stack.length = 0;
  };

  try {
    // The CLI finds the app from now on; what it asks waits for the start-up like any call.
    await writeDiscovery(paths.discoveryFile, {
      url: listener.url,
      pid: process.pid,
      version,
      mode: options.mode,
      startedAt,
    });
    const log = createAppLogger({ logDir: paths.logDir, echo: options.echoLogs ?? false });
    const logger = log.logger;
    appLogger = logger;
    stack.push(() => log.close());
    const bus = new EventBus((error) => logger.error({ err: error }, 'An event listener failed'));
    const warnings = new WarningCenter(bus);

    const settings = new SettingsService({
      dataDir: paths.dataDir,
      bus,
      warnings,
      logger: logger.child({ scope: 'settings' }),
    });
    await settings.start();
    stack.push(() => settings.stop());
    log.setDebug(settings.get().advanced.debugLogging);
    const offLevel = bus.on('settings.changed', (s) => {
      if (logger.level !== (s.advanced.debugLogging ? 'debug' : 'info')) {
        log.setDebug(s.advanced.debugLogging);
        logger.info({ level: logger.level }, 'Log level changed');
      }
    });
    stack.push(async () => void offLevel());

    const audit = new AuditLog({
      dir: paths.auditDir,
      bus,
      logger: logger.child({ scope: 'audit' }),
      retention: () => retentionFromSettings(settings.get().audit),
    });
    await audit.start();
    stack.push(() => audit.stop());
    const offAuditRetention = bus.on('settings.changed', () => void audit.applyRetention());
    stack.push(async () => void offAuditRetention());

    // The surface: it answers from here on (see startupDispatcher for what waits).
    const shell = options.shell ?? headlessShell();
    let info: AppInfo | null = null;
    const getInfo = (): AppInfo => {
      if (!info) throw new Error('The app is still starting');
      return info;
    };
    let startedAgents: SessionsDomain | null = null;
    // The engine's services and the domains load after the API has answered what came with
    // the link (afterWaitingAnswers); until then the runtime reads "Detecting…".
    let engine: EngineServices | null = null;
    const engineReady = (): EngineServices => {
      if (!engine) throw new AppError('UNAVAILABLE', 'aigo is still starting. Try again.');
      return engine;
    };
    // The core's operations are served from now on; the domains' are added as they load.
    const operations = new OperationTable(coreOperations);
    startup = startupDispatcher(
      {
        'app.info': () => getInfo(),
        'runtime.get': () => engine?.runtime.status() ?? detectingStatus(),
        'settings.get': () => settings.get(),
      },
      logger.child({ scope: 'dispatch' }),
      operations,
    );
    const api = attachApi(listener, {
      host,
      port: listener.port,
      dispatch: startup.dispatch,
      operations,
      routesPending: () => (operations.complete ? null : domainsLoaded.promise),
      bus,
      logger: logger.child({ scope: 'http' }),
      token: () => token,
      version,
      rendererDir: options.rendererDir ?? null,
      // Until the sessions domain knows how agents reach the network, reads need the token.
      readsNeedToken: () => startedAgents?.agentsReachLoopback() ?? true,
      scrubSecrets: (text) => engineReady().secrets.scrub(text),
      isProxySessionToken: (candidate) => engineReady().proxy.sessions.check(candidate) !== null,
      webhooks: CHANNEL_WEBHOOK_PATHS.map((path) => ({
        path,
        handle: async (req) => {
          const hook = startedChat?.webhooks.find((h) => h.path === path);
          return hook
            ? hook.handle(req)
            : { status: 503, body: 'aigo is starting; try again in a moment.' };
        },
      })),
    });
    info = {
      name: 'aigo',
      version,
      mode: options.mode,
      platform: platform(),
      arch: arch(),
      nodeVersion: process.versions.node,
      dataDir: paths.dataDir,
      logDir: paths.logDir,
      apiUrl: api.url,
      pid: process.pid,
      startedAt,
      capabilities: { openPath: shell.canOpenPath, pickFolder: shell.canPickFolder },
    };
    stopApi = async () => {
      await removeDiscovery(paths.discoveryFile, process.pid);
      await api.stop();
    };
    const stillStarting = () => options.abort?.throwIfAborted();

    // The services that talk to the container engine, in dependency order.
    const { createEngineServices } = await afterWaitingAnswers(() => import('./engine-services'));
    engine = createEngineServices({
      options,
      dataDir: paths.dataDir,
      version,
      bus,
      audit,
      logger,
      warnings,
      settings,
    });
    const { runtime, mounts, secrets, proxy, image } = engine;
    await engine.start((stop) => stack.push(stop));
    stillStarting();

    const { startSessionsDomain } = await afterWaitingAnswers(
      () => import('./domains/sessions-domain'),
    );
    const agents = await startSessionsDomain({
      dataDir: paths.dataDir,
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
    stack.push(() => agents.stop());
    startedAgents = agents;
    stillStarting();

    const { startSchedulerDomain } = await afterWaitingAnswers(
      () => import('./domains/scheduler-domain'),
    );
    const scheduling = await startSchedulerDomain({
      dataDir: paths.dataDir,
      bus,
      audit,
      logger,
      warnings,
      agents,
    });
    stack.push(() => scheduling.stop());

    const { startSquadsDomain } = await afterWaitingAnswers(
      () => import('./domains/squads-domain'),
    );
    const squadding = await startSquadsDomain({
      dataDir: paths.dataDir,
      bus,
      audit,
      logger,
      settings,
      agents,
    });
    stack.push(() => squadding.stop());

    const { startChannelsDomain } = await afterWaitingAnswers(
      () => import('./domains/channels-domain'),
    );
    const chat = await startChannelsDomain({
      dataDir: paths.dataDir,
      bus,
      audit,
      logger,
      warnings,
      secrets,
      agents,
      ...(options.channelEndpoints ? { endpoints: options.channelEndpoints } : {}),
    });
    stack.push(() => chat.stop());
    // Every router is in place (scheduler tasks, channel messages): agents' files may flow.
    await agents.startIpc();
    stillStarting();
    startedChat = chat;

    const [{ createHandlers }, { pauseDiagnostic }, contract] = await afterWaitingAnswers(() =>
      Promise.all([
        import('./handlers'),
        import('./services/app/diagnostics'),
        import('../shared/contract/operations'),
      ]),
    );
    // Every operation has its route from here on.
    operations.add(contract.operations, { complete: true });
    domainsLoaded.settle();
    const dispatch = createDispatcher(
      {
        ...createHandlers({
          info: getInfo,
          logLevel: () => logger.level,
          settings,
          audit,
          runtime,
          mounts,
          proxy,
          image,
          warnings,
          shell,
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
      },
      logger.child({ scope: 'dispatch' }),
      operations,
    );
    startup.open(dispatch);
    logger.info(
      { url: api.url, mode: options.mode, version, dataDir: paths.dataDir },
      'aigo started',
    );
    releaseOptimizingCompilers(); // started: hot code may be optimized again
    // Start-up grew the heap; so does any burst of work. Given back once quiet.
    const memory = new MemoryReducer({ logger: logger.child({ scope: 'memory' }) });
    memory.start();
    stack.push(async () => memory.stop());

    const core: AppCore = {
      info: getInfo(),
      bus,
      dispatch,
      api,
      token,
      logger,
      services: {
        settings,
        audit,
        runtime,
        mounts,
        proxy,
        image,
        warnings,
        groups: agents.groups,
        sessions: agents.sessions,
        runs: agents.runs,
        scheduler: scheduling.scheduler,
        squads: squadding.squads,
        channels: chat.channels,
      },
      stop: async () => {
        logger.info('aigo stopping');
        await stopAll();
      },
    };
    return core;
  } catch (error) {
    appLogger?.error({ err: error }, 'aigo failed to start');
    failure = `aigo could not start: ${error instanceof Error ? error.message : String(error)}`;
    // What waits for the start-up, a call or a route not loaded yet, is told why it failed.
    domainsLoaded.fail(startup?.fail(error) ?? error);
    await stopAll();
    throw error;
  }
}

/**
 * Loads the next part of the app once the requests that are in (the first one comes with the
 * printed link) have been answered: a module's first load holds the event loop for its whole
 * length, so the rest of the start-up goes in parts with the API answering in between.
 */
async function afterWaitingAnswers<T>(load: () => Promise<T>): Promise<T> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return load();
}

/** A promise settled from outside, that nobody need await. */
function settledLater(): { promise: Promise<void>; settle(): void; fail(error: unknown): void } {
  let settle!: () => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, settle, fail };
}
