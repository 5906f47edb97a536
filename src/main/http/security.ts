import { hostnameOf, isLoopbackHostname } from '../services/app/host-names';
import { timingSafeEqual } from 'node:crypto';
import { header, type Exchange } from './exchange';
import { AppError } from '../../shared/errors';

/** localhost, 127.0.0.0/8 and ::1: the only names a request to a loopback-bound API may carry. */
export { hostnameOf, isLoopbackHostname };

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Constant time over the bytes; only the length can differ in time, and every token has the
  // same length (hashing both sides first cost two SHA-256 per request for nothing more).
  return a.length === b.length && timingSafeEqual(a, b);
}

export function tokenFromRequest(exchange: Exchange): string | null {
  const auth = header(exchange, 'authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const given = header(exchange, 'x-aigo-token')?.trim();
  if (given) return given;
  // EventSource cannot set headers: the event stream alone takes the token as a query value.
  return exchange.path.endsWith('/events') ? (exchange.query.get('token')?.trim() ?? null) : null;
}

export interface SecurityOptions {
  /** Extra host names accepted besides loopback (the bind address when it is not loopback). */
  extraHosts: string[];
  port: () => number;
}

/**
 * DNS-rebinding and cross-site defence for a loopback API: the Host must be a loopback name
 * (or the explicit bind address), and a browser request must come from this very origin.
 */
export function originGuard(options: SecurityOptions): (exchange: Exchange) => void {
  const extra = new Set(options.extraHosts.map((h) => h.toLowerCase()));
  const hostAllowed = (hostname: string) =>
    isLoopbackHostname(hostname) || extra.has(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  return (exchange) => {
    const host = header(exchange, 'host');
    if (!host || !hostAllowed(hostnameOf(host))) {
      throw new AppError(
        'FORBIDDEN',
        `Requests must address the local API by a loopback name (localhost or 127.0.0.1), not "${host ?? ''}".`,
        { host: host ?? null },
      );
    }
    const origin = header(exchange, 'origin');
    if (origin !== undefined) {
      let ok = false;
      try {
        const url = new URL(origin);
        ok =
          (url.protocol === 'http:' || url.protocol === 'https:') &&
          hostAllowed(url.hostname) &&
          Number(url.port || 80) === options.port();
      } catch {
        ok = false;
      }
      if (!ok)
        throw new AppError(
          'FORBIDDEN',
          `Requests from the web origin "${origin}" are not allowed.`,
          { origin },
        );
    }
    if (header(exchange, 'sec-fetch-site') === 'cross-site') {
      throw new AppError('FORBIDDEN', 'Cross-site requests are not allowed.');
    }
  };
}

/**
 * `change`: a request that changes something; `read`: a read where agents can reach loopback;
 * `private`: a read that always needs the token (the diagnostics bundle holds logs and settings).
 */
export type TokenKind = 'change' | 'read' | 'private';

const MISSING_TOKEN: Record<TokenKind, string> = {
  read: 'Agents can reach this computer\'s localhost here (host networking, or an engine such as Docker Desktop or Podman that forwards to it), so an agent could reach this API: reading needs the API token too. Send "Authorization: Bearer <token>" with the token from DATA_DIR/api-token (the aigo CLI does this for you), or open the link `aigo serve` printed.',
  change:
    'This request changes something and needs the API token: send "Authorization: Bearer <token>" with the token from DATA_DIR/api-token (the aigo CLI does this for you).',
  private:
    'The diagnostics bundle holds the app log, the audit log and the settings, so it always needs the API token: send "Authorization: Bearer <token>" with the token from DATA_DIR/api-token, or use `aigo doctor --bundle <file>`, which does this for you.',
};

export function requireToken(
  exchange: Exchange,
  expected: string,
  kind: TokenKind = 'change',
): void {
  const given = tokenFromRequest(exchange);
  if (!given) throw new AppError('UNAUTHORIZED', MISSING_TOKEN[kind]);
  if (!tokensEqual(given, expected)) {
    throw new AppError(
      'UNAUTHORIZED',
      'The API token is wrong. Use the token in DATA_DIR/api-token, or open the link `aigo serve` printed.',
    );
  }
}
