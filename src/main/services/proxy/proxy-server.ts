import {
  Agent as HttpAgent,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';
import { AppError } from '../../../shared/errors';
import { hostnameOf } from '../../http/security';
import { PROXY_SESSION_HEADER, type ProxyMapping } from '../../../shared/schemas/proxy';

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
  | 'no_real_key';

export interface ProxyHandlers {
  /** The mapping a presented placeholder selects, with its real key; or why not. */
  resolve(presented: string): { mapping: ProxyMapping; key: string } | { refusal: Refusal };
  /** The session of a live token and the mappings it may use (null: any), or null. */
  session(token: string | undefined): { session: string; mappings: string[] | null } | null;
  /** Whether a Host header names this proxy (guards against DNS rebinding). */
  hostAllowed(hostname: string): boolean;
  strict(): boolean;
  timeoutMs(): number;
  onRefused(
    refusal: Refusal,
    request: { method: string; path: string; remote: string | undefined; session: string | null },
  ): void;
  onResponse(mapping: ProxyMapping, status: number, session: string | null): void;
  onUpstreamError(mapping: ProxyMapping, message: string, timedOut: boolean): void;
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  browser_request:
    'Requests from web pages are refused: only containers may use the credential proxy.',
  foreign_host: 'The request is addressed to a host name this proxy does not answer to.',
  mapping_not_allowed: "This container's session may not use that credential mapping.",
  missing_key:
    'No API key was sent. Inside an aigo container, ANTHROPIC_API_KEY must be the placeholder CREDENTIAL_PROXY_PLACEHOLDER.',
  unknown_placeholder:
    'The key sent is not a placeholder of any credential mapping. Check the mappings in Settings > Container > Credential Proxy.',
  real_key:
    'A real-looking API key was sent. The credential proxy only injects keys it holds; containers must send the placeholder, never a real key.',
  missing_session: `No session token was sent. aigo containers send it in the ${PROXY_SESSION_HEADER} header (AIGO_PROXY_TOKEN).`,
  invalid_session: 'The session token is unknown or was revoked (its container has ended).',
  no_real_key:
    'The mapping for this placeholder has no real API key stored. Set it in Settings > Container > Credential Proxy.',
};

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Anthropic's error shape, so SDKs inside the container show the message as is.
  const body = JSON.stringify({ type: 'error', error: { type, message, ...extra } });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
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
  private readonly proxy = httpProxy.createProxyServer({
    changeOrigin: true,
    xfwd: false,
    ws: false,
  });
  // http-proxy opens a new upstream connection per request unless given an agent; keep them alive.
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  };

  constructor(private readonly handlers: ProxyHandlers) {
    this.proxy.on('proxyRes', (proxyRes) =>
      stripHopByHop(proxyRes.headers as Record<string, unknown>),
    );
  }

  get address(): { host: string; port: number } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => this.handle(req, res));
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
    const meta = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      remote: req.socket.remoteAddress,
      session,
    };
    const refuse = (refusal: Refusal, status = 401) => {
      h.onRefused(refusal, meta);
      const type = status === 403 ? 'permission_error' : 'authentication_error';
      sendError(res, status, type, `aigo credential proxy: ${REFUSAL_TEXT[refusal]}`);
    };

    // A browser (a page that rebound a name to this address) always sends Origin on a write.
    if (req.headers.origin !== undefined) return refuse('browser_request', 403);
    if (!h.hostAllowed(hostnameOf(req.headers.host ?? ''))) return refuse('foreign_host', 403);
    if (h.strict() && !session) return refuse(token ? 'invalid_session' : 'missing_session');
    const presented = presentedKey(req);
    if (!presented) return refuse('missing_key');
    const resolved = h.resolve(presented);
    if ('refusal' in resolved) return refuse(resolved.refusal);
    const { mapping, key } = resolved;
    if (grant?.mappings && !grant.mappings.includes(mapping.id))
      return refuse('mapping_not_allowed', 403);

    const headers = req.headers as Record<string, unknown>;
    stripHopByHop(headers);
    delete headers['x-api-key'];
    delete headers.authorization;
    delete headers[PROXY_SESSION_HEADER];
    if (mapping.auth.type === 'x-api-key') headers['x-api-key'] = key;
    else if (mapping.auth.type === 'bearer') headers.authorization = `Bearer ${key}`;
    else headers[mapping.auth.header.toLowerCase()] = key;

    const timeout = h.timeoutMs();
    const started = Date.now();
    res.on('finish', () => h.onResponse(mapping, res.statusCode, session));
    const upstreamFailed = (error: NodeJS.ErrnoException) => {
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
    }
  }
}
