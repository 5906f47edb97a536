import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AppError } from '../../../shared/errors';
import { errorBody, sendError, sendJson } from './json-replies';
import { DEFAULT_PROXY_LIMITS, InFlightRequests, type ProxyLimits } from './proxy-limits';
import { refusalReply, type Refusal, type RefusedRequest } from './refusals';
import { admitRequest, type AdmissionChecks } from './request-admission';
import { UpstreamForwarder, type ForwardingHooks } from './upstream-forwarder';

export const PROXY_HEALTH_PATH = '/__aigo/health';

const HEALTH_BODY = JSON.stringify({ service: 'aigo-credential-proxy', ok: true });

/** Where the proxy listens. */
export interface BoundAddress {
  host: string;
  port: number;
}

/** What the server asks of its owner, and what it tells it, request by request. */
export interface ProxyHandlers extends AdmissionChecks, ForwardingHooks {
  onRefused(refusal: Refusal, request: RefusedRequest): void;
}

/**
 * The credential proxy's HTTP server: admits a request (request-admission.ts), then forwards
 * it with the real key (upstream-forwarder.ts), or answers why not. It never forwards a key it
 * did not inject.
 */
export class ProxyServer {
  private server: Server | null = null;
  private readonly forwarder: UpstreamForwarder;
  private readonly inFlight: InFlightRequests;

  constructor(
    private readonly handlers: ProxyHandlers,
    readonly limits: ProxyLimits = DEFAULT_PROXY_LIMITS,
  ) {
    this.forwarder = new UpstreamForwarder(handlers, limits);
    this.inFlight = new InFlightRequests(limits);
  }

  get address(): BoundAddress | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  async listen(host: string, port: number): Promise<BoundAddress> {
    const server = createServer((req, res) => this.handle(req, res));
    // CONNECT would open a tunnel: refuse it as the other methods that are not forwarded.
    server.on('connect', (req: IncomingMessage, socket: Socket) => this.refuseConnect(req, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(listenError(error, host, port)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return this.address as BoundAddress;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.forwarder.close();
  }

  private refuseConnect(req: IncomingMessage, socket: Socket): void {
    const request = {
      method: req.method ?? 'CONNECT',
      path: req.url ?? '',
      remote: socket.remoteAddress,
      session: null,
    };
    this.handlers.onRefused('method_not_allowed', request);
    const { type, message } = refusalReply('method_not_allowed', request, '/', this.limits);
    const body = errorBody(type, message);
    socket.on('error', () => undefined);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // Reachability only (the container check): no key, no upstream, nothing to spend.
    if (req.method === 'GET' && req.url === PROXY_HEALTH_PATH && req.headers.origin === undefined)
      return sendJson(res, 200, HEALTH_BODY);
    const admission = admitRequest(req, this.handlers, this.inFlight);
    const refuse = (refusal: Refusal, headers: Record<string, string> = {}) => {
      this.handlers.onRefused(refusal, admission.request);
      const reply = refusalReply(refusal, admission.request, admission.base, this.limits);
      sendError(res, reply.status, reply.type, reply.message, {}, headers);
    };
    if ('refusal' in admission) return refuse(admission.refusal, admission.headers);
    this.forwarder.forward(req, res, admission, () =>
      refuse('body_timeout', { connection: 'close' }),
    );
  }
}

/**
 * Whether a server could listen on host:port, found by listening and closing at once. Throws
 * the same error listen() would, so a bad address is refused before anything changes.
 */
export async function probeListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    probe.listen(port, host, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Why the server could not listen, with what the user can do about it. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): AppError {
  if (error.code === 'EADDRINUSE')
    return new AppError(
      'CONFLICT',
      `Port ${port} on ${host} is already in use, so the credential proxy cannot start. Choose another port in Settings > Container > Credential Proxy, or stop the program using it (lsof -i :${port}).`,
      { port, host },
    );
  if (error.code === 'EADDRNOTAVAIL')
    return new AppError(
      'CONFLICT',
      `The credential proxy cannot listen on ${host}: no network interface has that address. Check the bind address in Settings > Container > Credential Proxy.`,
      { host },
    );
  return new AppError(
    'CONFLICT',
    `The credential proxy cannot listen on ${host}:${port}: ${error.message}`,
    { host, port },
  );
}
