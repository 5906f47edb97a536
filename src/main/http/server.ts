import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import { toErrorEnvelope, type Dispatch } from '../dispatch';
import type { EventBus } from '../services/events/event-bus';
import { registerDiagnosticsBundleRoute } from './diagnostics-bundle-route';
import { closeUnreadRequests } from './early-close';
import { registerEventStream } from './events-stream';
import { buildOpenApiDocument } from './openapi';
import { declaredBodyLimit } from './request-body';
import { prettyJson, registerContractRoutes } from './routes';
import { isLoopbackHostname, originGuard } from './security';
import { registerStaticUi } from './static-ui';
import { registerWebhook } from './webhook-route';
import type { WebhookRoute } from '../services/app/webhook-route';

/** The largest request body the API reads; a larger one is answered 413 without reading it. */

export interface ApiServerOptions {
  host: string;
  port: number;
  dispatch: Dispatch;
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

export function createApiApp(
  options: ApiServerOptions,
  port: () => number,
): { app: Hono; closeStreams: () => void; refuseNewCalls: () => void } {
  const app = new Hono();
  let stopping = false;
  const log = options.logger;
  const extraHosts =
    isLoopbackHostname(options.host) || options.host === '0.0.0.0' || options.host === '::'
      ? []
      : [options.host];

  app.onError((error, c) => {
    const envelope = toErrorEnvelope(error, log);
    const status = error instanceof AppError ? error.httpStatus : 500;
    if (status >= 500) log.error({ path: c.req.path, code: envelope.code }, envelope.message);
    else
      log.debug({ path: c.req.path, method: c.req.method, code: envelope.code }, envelope.message);
    return prettyJson(c, envelope, status);
  });
  app.notFound((c) =>
    prettyJson(
      c,
      {
        code: 'NOT_FOUND',
        message: `No API route ${c.req.method} ${c.req.path}. See /api/v1/openapi.json for the routes.`,
      },
      404,
    ),
  );

  // First, so every answer given before the body was read (413, 401, 403, 404) closes cleanly.
  app.use('*', closeUnreadRequests());
  // A stopping API finishes what it was answering, but takes nothing new, even on a
  // connection kept alive.
  app.use('*', async (c, next) => {
    if (!stopping) return next();
    c.header('connection', 'close');
    return prettyJson(
      c,
      { code: 'UNAVAILABLE', message: 'aigo is stopping. Try again once it runs.' },
      503,
    );
  });
  for (const hook of options.webhooks ?? []) registerWebhook(app, hook, log);
  app.use('*', originGuard({ extraHosts, port }));
  app.use('/api/*', declaredBodyLimit());
  app.get('/api/v1/openapi.json', (c) =>
    prettyJson(c, buildOpenApiDocument(options.version, `http://127.0.0.1:${port()}`), 200),
  );
  const readsNeedToken = options.readsNeedToken ?? (() => false);
  const closeStreams = registerEventStream(app, options.bus, {
    token: options.token,
    readsNeedToken,
  });
  registerDiagnosticsBundleRoute(app, {
    dispatch: options.dispatch,
    token: options.token,
    logger: log,
    ...(options.scrubSecrets ? { scrubSecrets: options.scrubSecrets } : {}),
    ...(options.isProxySessionToken ? { isProxySessionToken: options.isProxySessionToken } : {}),
  });
  registerContractRoutes(app, options.dispatch, options.token, readsNeedToken);
  registerStaticUi(app, options.rendererDir);
  return { app, closeStreams, refuseNewCalls: () => (stopping = true) };
}

/** Starts the local API. A port already taken is reported with what to do about it. */
/** How long a stopping API lets answers under way finish. */
const STOP_GRACE_MS = 250;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  let boundPort = options.port;
  const { app, closeStreams, refuseNewCalls } = createApiApp(options, () => boundPort);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new AppError(
            'CONFLICT',
            `Port ${options.port} on ${options.host} is already in use. Another aigo may be running (try \`aigo status\`); otherwise start with --port <number> or AIGO_PORT=<number>.`,
            { port: options.port, host: options.host },
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
        reject(
          new AppError(
            'CONFLICT',
            `Cannot listen on ${options.host}:${options.port} (${error.code}). Choose another --host or --port.`,
          ),
        );
      } else reject(error);
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${boundPort}`;
  return {
    url,
    port: boundPort,
    host: options.host,
    stop: () =>
      new Promise<void>((resolve) => {
        refuseNewCalls();
        closeStreams();
        // No new connections; idle kept-alive ones close at once. An answer under way (one
        // that waited for the start-up, say) gets a moment to be written, then what is left
        // is cut.
        const cut = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
