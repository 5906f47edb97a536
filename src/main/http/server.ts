import type { IncomingMessage, ServerResponse } from 'node:http';
import { addRoute, createRouter, findRoute } from 'rou3';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import { STARTUP_WAIT_MS, stillStarting, toErrorEnvelope, type Dispatch } from '../dispatch';
import type { EventBus } from '../services/events/event-bus';
import type { OperationTable } from '../operation-table';
import { registerDiagnosticsBundleRoute } from './diagnostics-bundle-route';
import { registerEventStream } from './events-stream';
import { noRoute, sendJson, type Exchange, type RouteHandler, type Routes } from './exchange';
import { checkDeclaredBodyLimit } from './request-body';
import { registerContractRoutes } from './routes';
import { isLoopbackHostname, originGuard, requireToken } from './security';
import { registerStaticUi } from './static-ui';
import { answerWebhook } from './webhook-route';
import { openApiListener, type ApiListener } from './api-listener';
import type { WebhookRoute } from '../services/app/webhook-route';

export interface ApiServerOptions {
  host: string;
  port: number;
  dispatch: Dispatch;
  /** The operations to route; those added later get their routes then. */
  operations: OperationTable;
  /**
   * While more operations may come (the start-up is loading the app's parts), a promise that
   * settles when some have: a path no route matches waits, and looks again, before it is a 404.
   */
  routesPending?: () => Promise<void> | null;
  /** How long such a path waits before it is told to try again (503); 60 s unless set. */
  maxRouteWaitMs?: number;
  bus: EventBus;
  logger: Logger;
  token: () => string;
  version: string;
  rendererDir: string | null;
  /** Agents can reach loopback (host networking): every route, reads too, needs the token. */
  readsNeedToken?: () => boolean;
  /** Removes every stored secret from a text (the secret store's `scrub`): for the diagnostics bundle. */
  scrubSecrets?: (text: string) => string;
  /** Whether a string is a live credential-proxy session token: for the diagnostics bundle. */
  isProxySessionToken?: (candidate: string) => boolean;
  /** Platform webhooks (WhatsApp), checked by their own signatures: see WebhookRoute. */
  webhooks?: WebhookRoute[];
}

export interface ApiServer {
  url: string;
  port: number;
  host: string;
  stop(): Promise<void>;
}

interface ApiHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  closeStreams(): void;
  refuseNewCalls(): void;
}

export function createApiHandler(options: ApiServerOptions, port: () => number): ApiHandler {
  let stopping = false;
  const log = options.logger;
  const extraHosts =
    isLoopbackHostname(options.host) || options.host === '0.0.0.0' || options.host === '::'
      ? []
      : [options.host];
  const guard = originGuard({ extraHosts, port });
  const webhooks = new Map((options.webhooks ?? []).map((hook) => [hook.path, hook]));
  // rou3: a radix tree that builds no code at start (find-my-way compiled three functions per
  // route with new Function, about 250 at every start).
  const router = createRouter<RouteHandler>();
  const routes: Routes = {
    on: (methods, path, handler) => {
      for (const method of [methods].flat()) addRoute(router, method, path, handler);
    },
  };

  // Built from the whole contract, so loaded when first asked for, not at every start.
  routes.on('GET', '/api/v1/openapi.json', async (exchange) => {
    const { buildOpenApiDocument } = await import('./openapi');
    sendJson(exchange, buildOpenApiDocument(options.version, `http://127.0.0.1:${port()}`), 200);
  });
  const readsNeedToken = options.readsNeedToken ?? (() => false);
  const closeStreams = registerEventStream(routes, options.bus, {
    token: options.token,
    readsNeedToken,
  });
  registerDiagnosticsBundleRoute(routes, {
    dispatch: options.dispatch,
    token: options.token,
    logger: log,
    ...(options.scrubSecrets ? { scrubSecrets: options.scrubSecrets } : {}),
    ...(options.isProxySessionToken ? { isProxySessionToken: options.isProxySessionToken } : {}),
  });
  registerContractRoutes(
    routes,
    options.operations,
    options.dispatch,
    options.token,
    readsNeedToken,
  );
  registerStaticUi(routes, options.rendererDir);
  // Below every API route: an /api/ path none of them matches is a 404, never the web page.
  const apiFallback: RouteHandler = (exchange) => {
    throw noRoute(exchange);
  };
  routes.on(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], '/api/**', apiFallback);

  async function route(exchange: Exchange): Promise<void> {
    if (stopping) {
      // A stopping API finishes what it was answering, but takes nothing new, even on a
      // connection kept alive.
      exchange.res.setHeader('connection', 'close');
      const message = 'aigo is stopping. Try again once it runs.';
      return sendJson(exchange, { code: 'UNAVAILABLE', message }, 503);
    }
    // Only the origin form ("/path"): an absolute target ("http://host/path") is for proxies,
    // and would carry a host the Host checks below never see.
    if (!exchange.path.startsWith('/'))
      throw new AppError(
        'INVALID_INPUT',
        'Send requests to a path on this server ("GET /api/v1/status"), as browsers and curl do; this is not a proxy.',
      );
    const hook = webhooks.get(exchange.path);
    if (hook && (exchange.method === 'GET' || exchange.method === 'POST'))
      return answerWebhook(exchange, hook, log);
    guard(exchange);
    if (exchange.path.startsWith('/api/')) checkDeclaredBodyLimit(exchange);
    const method = exchange.method === 'HEAD' ? 'GET' : exchange.method;
    let found = findRoute(router, method, exchange.path);
    // No route yet: while the app loads its parts, the path may be one of theirs. Only a caller
    // with the token waits (every call needs it during the start-up), and not for ever.
    const maxWaitMs = options.maxRouteWaitMs ?? STARTUP_WAIT_MS;
    const waitUntil = Date.now() + maxWaitMs;
    for (;;) {
      const pending = !found || found.data === apiFallback ? options.routesPending?.() : null;
      if (!pending) break;
      requireToken(exchange, options.token(), 'read');
      await within(pending, waitUntil - Date.now(), maxWaitMs);
      found = findRoute(router, method, exchange.path);
    }
    if (!found) throw noRoute(exchange);
    exchange.params = decodedParams(found.params);
    await found.data(exchange);
  }

  function answerError(exchange: Exchange, error: unknown): void {
    const envelope = toErrorEnvelope(error, log);
    const status = error instanceof AppError ? error.httpStatus : 500;
    const at = { path: exchange.path, method: exchange.method, code: envelope.code };
    if (status >= 500) log.error(at, envelope.message);
    else log.debug(at, envelope.message);
    sendJson(exchange, envelope, status);
  }

  return {
    handle(req, res) {
      // The path exactly as sent: new URL() would read "//host/api/..." (or an absolute
      // target) as a host and a path, a second spelling of every route.
      const target = req.url ?? '/';
      const queryAt = target.indexOf('?');
      const exchange: Exchange = {
        req,
        res,
        method: req.method ?? 'GET',
        path: queryAt === -1 ? target : target.slice(0, queryAt),
        query: new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1)),
        params: {},
      };
      route(exchange)
        .catch((error: unknown) => answerError(exchange, error))
        .catch((error: unknown) => {
          log.error({ err: error, path: exchange.path }, 'Could not answer a request');
          res.destroy();
        });
    },
    closeStreams,
    refuseNewCalls: () => (stopping = true),
  };
}

/** `pending`, or a 503 once `ms` have passed (of `totalMs` the call may wait). */
async function within(pending: Promise<void>, ms: number, totalMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stillStarting(totalMs)), Math.max(0, ms));
  });
  try {
    await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** rou3 hands path parameters over as sent; handlers get them decoded ("a%20b" -> "a b"). */
function decodedParams(params: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      throw new AppError(
        'INVALID_INPUT',
        `The path has a malformed %-escape in "${value}". Encode the value with encodeURIComponent.`,
      );
    }
  }
  return out;
}

/** How long a stopping API lets answers under way finish. */
export const STOP_GRACE_MS = 250;

/** Starts the local API on its own listener (app.ts opens the listener first, then attaches). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  return attachApi(await openApiListener(options), options);
}

/** Serves the API on an open listener: the requests it held are answered first. */
export function attachApi(listener: ApiListener, options: ApiServerOptions): ApiServer {
  const { handle, closeStreams, refuseNewCalls } = createApiHandler(options, () => listener.port);
  listener.attach(handle);
  return {
    url: listener.url,
    port: listener.port,
    host: listener.host,
    stop: () => {
      refuseNewCalls();
      closeStreams();
      return listener.stop('aigo is stopping. Try again once it runs.', STOP_GRACE_MS);
    },
  };
}
