import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AppError } from '../../shared/errors';
import { sendJson } from './exchange';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The API's socket, opened before the services behind it have started: the start-up prints
 * its link at once, and the few milliseconds a browser or the CLI takes to connect overlap
 * with the rest of the start-up instead of following it. A request that arrives before the
 * handler is attached waits for it (held), and is answered by it like any other.
 */
export interface ApiListener {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Hands every request, the held ones first, to `handler`. */
  attach(handler: Handler): void;
  /**
   * Stops listening. Held requests (the handler never came: the start-up failed or was
   * stopped) are answered 503 with `reason`; connections still open after `graceMs` are cut.
   */
  stop(reason: string, graceMs: number): Promise<void>;
}

/** Held at most: beyond this, a request during the start-up is told to come back. */
const MAX_HELD = 256;

/** Listens on host:port. A port already taken is reported with what to do about it. */
export async function openApiListener(options: {
  host: string;
  port: number;
  maxHeld?: number;
}): Promise<ApiListener> {
  const maxHeld = options.maxHeld ?? MAX_HELD;
  let handler: Handler | null = null;
  const held: [IncomingMessage, ServerResponse][] = [];
  const server = await listen(
    (req, res) => {
      if (handler) handler(req, res);
      else if (held.length < maxHeld) held.push([req, res]);
      else unavailable(req, res, 'aigo is starting; try again in a moment.');
    },
    options.host,
    options.port,
  );
  const port = (server.address() as AddressInfo).port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const shownHost = urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    host: options.host,
    attach(next) {
      handler = next;
      for (const [req, res] of held.splice(0)) next(req, res);
    },
    stop: (reason, graceMs) =>
      new Promise<void>((resolve) => {
        for (const [req, res] of held.splice(0)) unavailable(req, res, reason);
        // No new connections; idle kept-alive ones close at once. An answer under way gets a
        // moment to be written, then what is left is cut.
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function unavailable(req: IncomingMessage, res: ServerResponse, message: string): void {
  res.setHeader('connection', 'close');
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const exchange = {
    req,
    res,
    method: req.method ?? 'GET',
    path,
    query: new URLSearchParams(),
    params: {},
  };
  sendJson(exchange, { code: 'UNAVAILABLE', message }, 503);
}

function listen(handle: Handler, host: string, port: number): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = createServer(handle);
    s.listen(port, host);
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new AppError(
            'CONFLICT',
            `Port ${port} on ${host} is already in use. Another aigo may be running (try \`aigo status\`); otherwise start with --port <number> or AIGO_PORT=<number>.`,
            { port, host },
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
        reject(
          new AppError(
            'CONFLICT',
            `Cannot listen on ${host}:${port} (${error.code}). Choose another --host or --port.`,
          ),
        );
      } else reject(error);
    });
  });
}
