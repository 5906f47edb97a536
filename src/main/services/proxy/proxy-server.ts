import {
  Agent as HttpAgent,
  type ClientRequest,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import httpProxy from 'http-proxy';
import { AppError } from '../../../shared/errors';
import { hostnameOf } from '../../http/security';
import { PROXY_SESSION_HEADER, type ProxyMapping } from '../../../shared/schemas/proxy';
import {
  ALLOWED_METHODS,
  bounded,
  confinedPath,
  dropReflectedKey,
  queryHasCredential,
  stripClientCredentials,
} from './request-guards';

export const PROXY_HEALTH_PATH = '/__aigo/health';

/** Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
];

export type Refusal =
  | 'browser_request'
  | 'foreign_host'
  | 'mapping_not_allowed'
  | 'missing_key'
  | 'unknown_placeholder'
  | 'real_key'
  | 'missing_session'
  | 'invalid_session'
  | 'no_real_key'
  | 'key_not_bound'
  | 'credential_in_query'
  | 'method_not_allowed'
  | 'path_escape'
  | 'session_limit'
  | 'address_limit'
  | 'body_timeout';

/**
 * How much of the proxy one client may hold. Every session keeps a share of the upstream pool:
 * one session may use at most `perSession` of its `poolSize` connections, one client address
 * (all containers behind Docker Desktop share one) at most `perAddress`.
 */
export interface ProxyLimits {
  /** Requests in flight per container session (per address for requests without a session). */
  perSession: number;
  /** Requests in flight per client address, whatever their sessions. */
  perAddress: number;
  /** Upstream connections per upstream origin. */
  poolSize: number;
  /** A request body that sends nothing for this long is answered 408 and its connection closed. */
  bodyIdleTimeoutMs: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  perSession: 16,
  perAddress: 128,
  poolSize: 256,
  bodyIdleTimeoutMs: 30_000,
};

/** What a refusal says about the request, for the audit entry and the answer. */
export interface RefusedRequest {
  method: string;
  path: string;
  remote: string | undefined;
  session: string | null;
}

export interface ProxyHandlers {
  /** The mapping a presented placeholder selects, with its real key; or why not. */
  resolve(presented: string): { mapping: ProxyMapping; key: string } | { refusal: Refusal };
  /** The session of a live token and the mappings it may use (null: any), or null. */
  session(token: string | undefined): { session: string; mappings: string[] | null } | null;
  /** Whether a Host header names this proxy (guards against DNS rebinding). */
  hostAllowed(hostname: string): boolean;
  strict(): boolean;
  timeoutMs(): number;
  onRefused(refusal: Refusal, request: RefusedRequest): void;
  onResponse(
    mapping: ProxyMapping,
    status: number,
    session: string | null,
    remote: string | undefined,
  ): void;
  onUpstreamError(mapping: ProxyMapping, message: string, timedOut: boolean): void;
}

interface RefusalContext {
  method: string;
  base: string;
  limits: ProxyLimits;
  remote: string;
}

const REFUSALS: Record<
  Refusal,
  { status: number; type: string; text: string | ((c: RefusalContext) => string) }
> = {
  browser_request: {
    status: 403,
    type: 'permission_error',
    text: 'Requests from web pages are refused: only containers may use the credential proxy.',
  },
  foreign_host: {
    status: 403,
    type: 'permission_error',
    text: 'The request is addressed to a host name this proxy does not answer to.',
  },
  mapping_not_allowed: {
    status: 403,
    type: 'permission_error',
    text: "This container's session may not use that credential mapping.",
  },
  missing_key: {
    status: 401,
    type: 'authentication_error',
    text: 'No API key was sent. Inside an aigo container, ANTHROPIC_API_KEY must be the placeholder CREDENTIAL_PROXY_PLACEHOLDER.',
  },
  unknown_placeholder: {
    status: 401,
    type: 'authentication_error',
    text: 'The key sent is not a placeholder of any credential mapping. Check the mappings in Settings > Container > Credential Proxy.',
  },
  real_key: {
    status: 401,
    type: 'authentication_error',
    text: 'A real-looking API key was sent. The credential proxy only injects keys it holds; containers must send the placeholder, never a real key.',
  },
  missing_session: {
    status: 401,
    type: 'authentication_error',
    text: `No session token was sent. aigo containers send it in the ${PROXY_SESSION_HEADER} header (AIGO_PROXY_TOKEN).`,
  },
  invalid_session: {
    status: 401,
    type: 'authentication_error',
    text: 'The session token is unknown or was revoked (its container has ended).',
  },
  no_real_key: {
    status: 401,
    type: 'authentication_error',
    text: 'The mapping for this placeholder has no real API key stored. Set it in Settings > Container > Credential Proxy.',
  },
  key_not_bound: {
    status: 401,
    type: 'authentication_error',
    text: "The mapping's real API key was entered for another upstream than the one the mapping now names, and a key is only sent where it was entered for. In Settings > Container > Credential Proxy, edit the mapping and enter the API key again.",
  },
  credential_in_query: {
    status: 401,
    type: 'authentication_error',
    text: 'The query string carries a credential (a key, token or secret parameter). The credential proxy never forwards credentials it did not inject: send only the placeholder, in x-api-key or Authorization.',
  },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request_error',
    text: (c) =>
      `The method ${bounded(c.method, 20)} is not forwarded: it could echo or tunnel a request carrying the real key. Use ${[...ALLOWED_METHODS].join(', ')}.`,
  },
  path_escape: {
    status: 400,
    type: 'invalid_request_error',
    text: (c) =>
      `The request path leaves the mapping's base path ${c.base} (dot segments such as "..", also percent-encoded or with backslashes) or is not a path. Send a plain path below ${c.base}.`,
  },
  session_limit: {
    status: 429,
    type: 'rate_limit_error',
    text: (c) =>
      `this container session already has ${c.limits.perSession} requests in flight, the most one session may have so that other sessions keep their share of the upstream connections. Wait for some to finish, or lower the agent's concurrency.`,
  },
  address_limit: {
    status: 429,
    type: 'rate_limit_error',
    text: (c) =>
      `${c.limits.perAddress} requests are already in flight from this address (${c.remote}), the most one address may have. Wait for some to finish.`,
  },
  body_timeout: {
    status: 408,
    type: 'request_timeout',
    text: (c) =>
      `The request body sent nothing for ${Math.round(c.limits.bodyIdleTimeoutMs / 1000)} s, so the request was ended to free its upstream connection. Send the body without pauses, then retry.`,
  },
};

/** The base path of a mapping's upstream URL: requests stay below it. */
function basePath(upstreamUrl: string): string {
  return new URL(upstreamUrl).pathname.replace(/\/+$/, '') || '/';
}

function errorBody(type: string, message: string, extra: Record<string, unknown> = {}): string {
  // Anthropic's error shape, so SDKs inside the container show the message as is.
  return JSON.stringify({ type: 'error', error: { type, message, ...extra } });
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(type, message, extra);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function presentedKey(req: IncomingMessage): string | null {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey.trim();
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return null;
}

function stripHopByHop(headers: Record<string, unknown>): void {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...named]) delete headers[h];
}

/**
 * The credential proxy's HTTP server. Streams both ways (http-proxy pipes; nothing is
 * buffered), swaps the placeholder for the real key, and never forwards a key it did not inject.
 */
export class ProxyServer {
  private server: Server | null = null;
  // Never follow a redirect: the key would go to wherever the upstream points. The 3xx goes
  // back to the container, whose follow-up carries only the placeholder.
  private readonly proxy = httpProxy.createProxyServer({
    changeOrigin: true,
    xfwd: false,
    ws: false,
    followRedirects: false,
    autoRewrite: false,
  });
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** The key injected into each request in flight, to find it if the upstream reflects it. */
  private readonly injected = new WeakMap<IncomingMessage, string>();
  /** The upstream request of each request in flight, to end it when the client stalls. */
  private readonly upstreamRequests = new WeakMap<IncomingMessage, ClientRequest>();
  private readonly inFlight = {
    session: new Map<string, number>(),
    address: new Map<string, number>(),
  };

  constructor(
    private readonly handlers: ProxyHandlers,
    readonly limits: ProxyLimits = DEFAULT_PROXY_LIMITS,
  ) {
    // http-proxy opens a new upstream connection per request unless given an agent; keep them alive.
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets: limits.poolSize }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: limits.poolSize }),
    };
    this.proxy.on('proxyReq', (proxyReq, req) => this.upstreamRequests.set(req, proxyReq));
    this.proxy.on('proxyRes', (proxyRes, req) => {
      stripHopByHop(proxyRes.headers as Record<string, unknown>);
      const key = this.injected.get(req);
      if (key) dropReflectedKey(proxyRes.headers, key);
    });
  }

  get address(): { host: string; port: number } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => this.handle(req, res));
    // CONNECT would open a tunnel: refuse it as the other methods that are not forwarded.
    server.on('connect', (req: IncomingMessage, socket: Socket) => this.refuseConnect(req, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          reject(
            new AppError(
              'CONFLICT',
              `Port ${port} on ${host} is already in use, so the credential proxy cannot start. Choose another port in Settings > Container > Credential Proxy, or stop the program using it (lsof -i :${port}).`,
              { port, host },
            ),
          );
        } else if (error.code === 'EADDRNOTAVAIL') {
          reject(
            new AppError(
              'CONFLICT',
              `The credential proxy cannot listen on ${host}: no network interface has that address. Check the bind address in Settings > Container > Credential Proxy.`,
              { host },
            ),
          );
        } else
          reject(
            new AppError(
              'CONFLICT',
              `The credential proxy cannot listen on ${host}:${port}: ${error.message}`,
              { host, port },
            ),
          );
      });
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return this.address as { host: string; port: number };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    // Idle upstream connections would otherwise hold the process open.
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private refuseConnect(req: IncomingMessage, socket: Socket): void {
    const meta = {
      method: req.method ?? 'CONNECT',
      path: req.url ?? '',
      remote: socket.remoteAddress,
      session: null,
    };
    this.handlers.onRefused('method_not_allowed', meta);
    const refusal = REFUSALS.method_not_allowed;
    const text =
      typeof refusal.text === 'string' ? refusal.text : refusal.text(this.context(meta, '/'));
    const body = errorBody(refusal.type, `aigo credential proxy: ${text}`);
    socket.on('error', () => undefined);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  private context(meta: RefusedRequest, base: string): RefusalContext {
    return { method: meta.method, base, limits: this.limits, remote: meta.remote ?? 'unknown' };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const h = this.handlers;
    // Reachability only (the container check): no key, no upstream, nothing to spend.
    if (req.method === 'GET' && req.url === PROXY_HEALTH_PATH && req.headers.origin === undefined) {
      const body = JSON.stringify({ service: 'aigo-credential-proxy', ok: true });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    const token = req.headers[PROXY_SESSION_HEADER];
    const grant = h.session(typeof token === 'string' ? token : undefined);
    const session = grant?.session ?? null;
    const meta: RefusedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      remote: req.socket.remoteAddress,
      session,
    };
    let base = '/';
    const refuse = (refusal: Refusal, headers: Record<string, string> = {}) => {
      h.onRefused(refusal, meta);
      const { status, type, text } = REFUSALS[refusal];
      const message = typeof text === 'string' ? text : text(this.context(meta, base));
      sendError(res, status, type, `aigo credential proxy: ${message}`, {}, headers);
    };

    if (!ALLOWED_METHODS.has(meta.method)) return refuse('method_not_allowed');
    // A browser (a page that rebound a name to this address) always sends Origin on a write.
    if (req.headers.origin !== undefined) return refuse('browser_request');
    if (!h.hostAllowed(hostnameOf(req.headers.host ?? ''))) return refuse('foreign_host');
    if (h.strict() && !session) return refuse(token ? 'invalid_session' : 'missing_session');
    const presented = presentedKey(req);
    if (!presented) return refuse('missing_key');
    const resolved = h.resolve(presented);
    if ('refusal' in resolved) return refuse(resolved.refusal);
    const { mapping, key } = resolved;
    base = basePath(mapping.upstreamUrl);
    if (grant?.mappings && !grant.mappings.includes(mapping.id))
      return refuse('mapping_not_allowed');
    const target = confinedPath(req.url ?? '/');
    if (target === null) return refuse('path_escape');
    if (queryHasCredential(target)) return refuse('credential_in_query');

    // Every session keeps a share of the upstream pool: no one client may hold all of it.
    const remote = meta.remote ?? 'unknown';
    const sessionSlot = session ?? `address:${remote}`;
    if ((this.inFlight.address.get(remote) ?? 0) >= this.limits.perAddress)
      return refuse('address_limit', { 'retry-after': '1' });
    if ((this.inFlight.session.get(sessionSlot) ?? 0) >= this.limits.perSession)
      return refuse('session_limit', { 'retry-after': '1' });
    const release = this.take(sessionSlot, remote);
    res.once('close', release);

    req.url = target;
    const headers = req.headers;
    stripHopByHop(headers as Record<string, unknown>);
    delete headers[PROXY_SESSION_HEADER];
    // Only the injected credential goes upstream: every other credential-bearing header goes.
    stripClientCredentials(headers);
    if (mapping.auth.type === 'x-api-key') headers['x-api-key'] = key;
    else if (mapping.auth.type === 'bearer') headers.authorization = `Bearer ${key}`;
    else headers[mapping.auth.header.toLowerCase()] = key;
    this.injected.set(req, key);

    const timeout = h.timeoutMs();
    const started = Date.now();
    let bodyStalled = false;
    res.on('finish', () => {
      if (!bodyStalled) h.onResponse(mapping, res.statusCode, session, meta.remote);
    });
    const upstreamFailed = (error: NodeJS.ErrnoException) => {
      if (bodyStalled) return; // answered 408 already; the upstream request was ended on purpose
      const timedOut = Date.now() - started >= timeout - 50;
      // The error code only: a message could quote a header, and headers now hold the key.
      const reason = timedOut
        ? `no answer within ${Math.round(timeout / 1000)} s`
        : (error.code ?? error.message.split(key).join('[REDACTED]'));
      h.onUpstreamError(mapping, `${mapping.upstreamUrl}: ${reason}`, timedOut);
      sendError(
        res,
        timedOut ? 504 : 502,
        'api_error',
        `aigo credential proxy: the upstream ${mapping.upstreamUrl} (mapping "${mapping.name}") ${timedOut ? 'did not answer in time' : `failed: ${reason}`}. Verify the upstream URL is correct and reachable.`,
        { upstream: mapping.upstreamUrl },
      );
    };
    try {
      this.proxy.web(
        req,
        res,
        {
          target: mapping.upstreamUrl,
          proxyTimeout: timeout,
          timeout,
          agent: mapping.upstreamUrl.startsWith('https:') ? this.agents.https : this.agents.http,
        },
        upstreamFailed,
      );
    } catch (error) {
      // http.request throws synchronously on a header it refuses; never let that take the app down.
      upstreamFailed(error as NodeJS.ErrnoException);
      return;
    }
    // A body that stops arriving would hold an upstream connection for as long as it likes.
    if (!req.complete) {
      const stalled = setTimeout(() => {
        // Paused by the pipe: the upstream is not reading (its own timeout covers that).
        if (req.readableFlowing === false) return void stalled.refresh();
        bodyStalled = true;
        refuse('body_timeout', { connection: 'close' });
        this.upstreamRequests.get(req)?.destroy();
      }, this.limits.bodyIdleTimeoutMs);
      stalled.unref();
      const stop = () => clearTimeout(stalled);
      req.on('data', () => stalled.refresh());
      req.once('end', stop);
      res.once('close', stop);
    }
  }

  /** Counts a request in flight for its session and address; the returned function releases it. */
  private take(session: string, address: string): () => void {
    const add = (map: Map<string, number>, k: string, by: number) => {
      const n = (map.get(k) ?? 0) + by;
      if (n > 0) map.set(k, n);
      else map.delete(k);
    };
    add(this.inFlight.session, session, 1);
    add(this.inFlight.address, address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      add(this.inFlight.session, session, -1);
      add(this.inFlight.address, address, -1);
    };
  }
}
