import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../shared/errors';
import { DEFAULT_LINGER, hasUnreadBody, lingerOnClose } from './early-close';

/**
 * One request and its answer, on Node's own `http` objects. (The API used web Request/Response
 * objects before: loading them, with the HTTP/2 and fetch machinery behind them, was a fifth of
 * the time `aigo serve` took to answer its first call.)
 */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** The URL's path, as sent (not decoded). */
  path: string;
  query: URLSearchParams;
  /** Decoded path parameters of the matched route. */
  params: Record<string, string>;
}

export type RouteHandler = (exchange: Exchange) => unknown;

/** Where a module puts its routes: a method (or several) and a rou3 path (`:name` parameters, `**` the rest). */
export interface Routes {
  on(method: string | string[], path: string, handler: RouteHandler): void;
}

/** Pages and assets carry these; the JSON API does not need them. */
const UI_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function noRoute(exchange: Exchange): AppError {
  return new AppError(
    'NOT_FOUND',
    `No API route ${exchange.method} ${exchange.path}. See /api/v1/openapi.json for the routes.`,
  );
}

export function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The whole answer in one write. An unread request body makes the connection close cleanly. */
export function send(
  exchange: Exchange,
  status: number,
  body: string | Uint8Array,
  headers: Record<string, string>,
): void {
  const { req, res } = exchange;
  if (res.headersSent) return void res.end();
  const all: Record<string, string | number> = { ...headers };
  if (!exchange.path.startsWith('/api/')) Object.assign(all, UI_SECURITY_HEADERS);
  all['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (hasUnreadBody(req)) {
    all.connection = 'close';
    lingerOnClose(req, DEFAULT_LINGER);
  }
  res.writeHead(status, all);
  res.end(body);
}

export function sendJson(exchange: Exchange, body: unknown, status: number): void {
  // Pretty output so the guide's curl diagnostics read as written ("available": true).
  send(exchange, status, `${JSON.stringify(body, null, 2)}\n`, {
    'content-type': 'application/json; charset=utf-8',
  });
}

export function sendText(exchange: Exchange, body: string, status: number): void {
  send(exchange, status, body, { 'content-type': 'text/plain; charset=utf-8' });
}

export function sendHtml(
  exchange: Exchange,
  body: string,
  status: number,
  headers: Record<string, string> = {},
): void {
  send(exchange, status, body, { ...headers, 'content-type': 'text/html; charset=utf-8' });
}

/** The query as the API takes it: one value as a string, a repeated key as a list. */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    out[key] = values.length > 1 ? values : values[0]!;
  }
  return out;
}

/** The request body, read up to `limit` bytes; past it, `tooLarge()` is thrown. */
export function readBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
