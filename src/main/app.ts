import { mkdirSync } from 'node:fs';
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
import { EventBus } from './services/events/event-bus';
import { deferredLogger } from './services/logging/deferred-logger';
import { redactString } from './services/logging/redact';
import type { SettingsService } from './services/settings/settings-service';
import { afterWaitingAnswers, startDomains, type DomainsDeps } from './domains/start-domains';
import type { EngineServices } from './engine-services';
import { CHANNEL_WEBHOOK_PATHS } from './services/channels/webhook-paths';
import { detectingStatus } from './services/runtime/initial-status';
import { earlyOperations } from '../shared/contract/early-operations';
import { OperationTable } from './operation-table';
import { AppError } from '../shared/errors';
import { appVersion } from './version';

export type { AppCore, AppOptions } from './app-options';

/**
 * The composition root. Services start in dependency order and stop in reverse:
 *  1. data folder (0700)      — everything below writes into it; one instance per folder (aigo.lock)
 *  2. API token, listener     — the socket opens and the link goes out before any service
 *                               starts; a request meanwhile waits (held) for step 6
 *  3. discovery file          — the CLI finds the app from here on
 *  4. logger                  — every service logs
 *  5. event bus, warnings     — services emit into them
 *  6. HTTP API                — its handler is attached: the app's info, the runtime's status
 *                               and (once read) the settings answer at once; every other
 *                               operation waits until step 10 is over, so no handler ever sees
 *                               a service half started (startupDispatcher)
 *  7. settings                — decides the log level and runtime preferences
 *  8. audit log               — security events from every later service
 *  9. engine services         — runtime detection, mount security, credential proxy, agent image
 * 10. domains                 — sessions, scheduler, squads, channels; then every operation.
 *                               9 and 10 load in parts once the API has answered what came with
 *                               the link (domains/start-domains.ts)
 * 11. memory reducer          — gives back what start-up grew, once the app is quiet
 * The API stops first, the rest in reverse order.
 */
export async function createApp(options: AppOptions): Promise<AppCore> {
  const paths = dataPaths(options.dataDir);
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = await acquireInstanceLock(paths.dataDir);
  const version = appVersion();
  const startedAt = new Date().toISOString();
  const host = options.host ?? DEFAULT_API_HOST;

  // The API listens before any service starts, and its link goes out now: the moment a
  // browser or the CLI takes to connect overlaps with the start-up. What they send meanwhile
  // waits (held) for the handler attached below.
  let token: string;
  let listener: ApiListener;
  // The socket opens while the token is read (the lock, taken first, decides who runs).
  const opening = openApiListener({ host, port: options.port ?? DEFAULT_API_PORT });
  opening.catch(() => undefined); // awaited below
  try {
    token = loadOrCreateApiToken(paths.tokenFile);
    listener = await opening;
  } catch (error) {
    await opening.then(
      (opened) => opened.stop('aigo could not start.', 0),
      () => undefined,
    );
    await releaseLock();
    throw error;
  }

  const stack: (() => Promise<void>)[] = [releaseLock];
  // The surface stops first: no request reaches a service that is stopping.
  let failure: string | null = null;
  // The discovery file goes before the API stops, so the CLI never finds a dead URL.
  let discovering: Promise<void> | null = null;
  const forgetDiscovery = async () => {
    await discovering?.catch(() => undefined); // a write under way would put it back
    await removeDiscovery(paths.discoveryFile, process.pid);
  };
  let stopApi: (() => Promise<void>) | null = async () => {
    await forgetDiscovery();
    // Never attached (the start-up failed early): what waited is told why.
    await listener.stop(failure ?? 'aigo is stopping. Try again once it runs.', STOP_GRACE_MS);
  };
  let appLogger: Logger | null = null;
  let startup: StartupDispatch | null = null;
  // Settles once every operation has its route (or the start-up failed).
  const domainsLoaded = settledLater();
  // The settings are read after the app's log has loaded; settings.get waits for them.
  const settingsRead = settledLater<SettingsService>();
  // The app's log (pino) loads once the API has answered what came with the link; what is
  // logged until then waits for it.
  const early = deferredLogger();
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
    options.onListening?.({ url: listener.url, token });
    // The CLI finds the app from now on; what it asks waits for the start-up like any call.
    // (Written while the API is attached and the log loads.)
    discovering = writeDiscovery(paths.discoveryFile, {
      url: listener.url,
      pid: process.pid,
      version,
      mode: options.mode,
      startedAt,
    });
    discovering.catch(() => undefined); // awaited below
    const startLog = early.logger;
    const bus = new EventBus((error) => startLog.error({ err: error }, 'An event listener failed'));
    const warnings = new WarningCenter(bus);

    const shell = options.shell ?? headlessShell();
    const info: AppInfo = {
      name: 'aigo',
      version,
      mode: options.mode,
      platform: platform(),
      arch: arch(),
      nodeVersion: process.versions.node,
      dataDir: paths.dataDir,
      logDir: paths.logDir,
      apiUrl: listener.url,
      pid: process.pid,
      startedAt,
      capabilities: { openPath: shell.canOpenPath, pickFolder: shell.canPickFolder },
    };
    // The surface: it answers from here on (see startupDispatcher for what waits). The engine's
    // services and the domains load after it has answered what came with the link
    // (start-domains.ts); until then the runtime reads "Detecting…".
    const started: DomainsDeps['started'] = {};
    const engineReady = (): EngineServices => {
      if (!started.engine) throw new AppError('UNAVAILABLE', 'aigo is still starting. Try again.');
      return started.engine;
    };
    // The early operations are served from now on; the core's once loaded (with the settings),
    // the domains' with them.
    const operations = new OperationTable(earlyOperations);
    startup = startupDispatcher(
      {
        'app.info': () => info,
        'runtime.get': () => started.engine?.runtime.status() ?? detectingStatus(),
        'settings.get': async () => (await settingsRead.promise).get(),
      },
      startLog.child({ scope: 'dispatch' }),
      operations,
    );
    const api = attachApi(listener, {
      host,
      port: listener.port,
      dispatch: startup.dispatch,
      operations,
      routesPending: () =>
        operations.complete
          ? null
          : Promise.race([operations.nextAddition(), domainsLoaded.promise]),
      bus,
      logger: startLog.child({ scope: 'http' }),
      token: () => token,
      version,
      rendererDir: options.rendererDir ?? null,
      // Until the sessions domain knows how agents reach the network, reads need the token.
      readsNeedToken: () => started.agents?.agentsReachLoopback() ?? true,
      scrubSecrets: (text) => engineReady().secrets.scrub(text),
      isProxySessionToken: (candidate) => engineReady().proxy.sessions.check(candidate) !== null,
      webhooks: CHANNEL_WEBHOOK_PATHS.map((path) => ({
        path,
        handle: async (req) => {
          const hook = started.chat?.webhooks.find((h) => h.path === path);
          return hook
            ? hook.handle(req)
            : { status: 503, body: 'aigo is starting; try again in a moment.' };
        },
      })),
    });
    stopApi = async () => {
      await forgetDiscovery();
      await api.stop();
    };

    const { createAppLogger } = await afterWaitingAnswers(
      () => import('./services/logging/logger'),
    );
    const log = await afterWaitingAnswers(async () =>
      createAppLogger({ logDir: paths.logDir, echo: options.echoLogs ?? false }),
    );
    stack.push(() => log.close());
    const logger = log.logger;
    appLogger = logger;

    await discovering;
    const [{ SettingsService }, { AuditLog }, { retentionFromSettings }, { coreOperations }] =
      await afterWaitingAnswers(() =>
        Promise.all([
          import('./services/settings/settings-service'),
          import('./services/audit/audit-log'),
          import('./services/audit/retention'),
          import('../shared/contract/core-operations'),
        ]),
      );
    operations.add(coreOperations);
    const settings = new SettingsService({
      dataDir: paths.dataDir,
      bus,
      warnings,
      logger: logger.child({ scope: 'settings' }),
    });
    await settings.start();
    settingsRead.settle(settings);
    stack.push(() => settings.stop());
    log.setDebug(settings.get().advanced.debugLogging);
    // What waited goes to the log now, at the level the settings ask for (debug lines too).
    early.resolve(logger);
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

    const domains = await startDomains({
      options,
      dataDir: paths.dataDir,
      version,
      bus,
      audit,
      logger,
      warnings,
      settings,
      shell,
      info: () => info,
      onStop: (stop) => stack.push(stop),
      stillStarting: () => options.abort?.throwIfAborted(),
      started,
    });
    // Every operation has its route from here on.
    operations.add(domains.operations, { complete: true });
    domainsLoaded.settle();
    const { engine, agents, scheduling, squadding, chat } = domains;
    const dispatch = createDispatcher(
      domains.handlers,
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
      info,
      bus,
      dispatch,
      api,
      token,
      logger,
      services: {
        settings,
        audit,
        runtime: engine.runtime,
        mounts: engine.mounts,
        proxy: engine.proxy,
        image: engine.image,
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
    if (appLogger) {
      early.resolve(appLogger); // what waited for the log, if the settings never came
      appLogger.error({ err: error }, 'aigo failed to start');
    }
    // What waits for the start-up, a call or a route not loaded yet, is told why it failed.
    const reason =
      startup?.fail(error) ??
      new AppError(
        'INTERNAL',
        `aigo could not start: ${redactString(error instanceof Error ? error.message : String(error))}`,
      );
    failure = reason.message;
    domainsLoaded.fail(reason);
    settingsRead.fail(reason);
    await stopAll();
    throw error;
  }
}

/** A promise settled from outside, that nobody need await. */
function settledLater<T = void>(): {
  promise: Promise<T>;
  settle(value: T): void;
  fail(error: unknown): void;
} {
  let settle!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, settle, fail };
}
