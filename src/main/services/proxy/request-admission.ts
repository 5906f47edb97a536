import type { IncomingMessage } from 'node:http';
import { hostnameOf } from '../app/host-names';
import { PROXY_SESSION_HEADER, type ProxyMapping } from '../../../shared/schemas/proxy';
import { presentedKey } from './forwarded-headers';
import type { InFlightRequests } from './proxy-limits';
import type { Refusal, RefusedRequest } from './refusals';
import { ALLOWED_METHODS, confinedPath, queryHasCredential } from './request-guards';
import { basePath } from './upstream-url';

/** What the proxy asks its owner before a request may spend a key. */
export interface AdmissionChecks {
  /** The mapping a presented placeholder selects, with its real key; or why not. */
  resolve(presented: string): { mapping: ProxyMapping; key: string | null } | { refusal: Refusal };
  /** The session of a live token and the mappings it may use (null: any), or null. */
  session(token: string | undefined): { session: string; mappings: string[] | null } | null;
  /** Whether a Host header names this proxy (guards against DNS rebinding). */
  hostAllowed(hostname: string): boolean;
  strict(): boolean;
}

/** What every admission decision carries: the request as a refusal would describe it. */
interface Described {
  request: RefusedRequest;
  /** The base path of the mapping the request selected ('/' before it selected one). */
  base: string;
}

/** A request cleared to go upstream; it holds an in-flight slot until `release`. */
export interface AdmittedRequest extends Described {
  mapping: ProxyMapping;
  /** Null for an upstream that takes no key. */
  key: string | null;
  /** The path to forward, confined below the mapping's base path. */
  target: string;
  release: () => void;
}

export type Admission =
  (Described & { refusal: Refusal; headers?: Record<string, string> }) | AdmittedRequest;

/**
 * Decides whether a request may go upstream with a real key, cheapest and least trusting
 * checks first; an admitted request is counted in flight.
 */
export function admitRequest(
  req: IncomingMessage,
  checks: AdmissionChecks,
  inFlight: InFlightRequests,
): Admission {
  const token = req.headers[PROXY_SESSION_HEADER];
  const grant = checks.session(typeof token === 'string' ? token : undefined);
  const request: RefusedRequest = {
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0] ?? '/',
    remote: req.socket.remoteAddress,
    session: grant?.session ?? null,
  };
  const refuse = (refusal: Refusal, base = '/', headers?: Record<string, string>): Admission => ({
    refusal,
    request,
    base,
    ...(headers ? { headers } : {}),
  });

  if (!ALLOWED_METHODS.has(request.method)) return refuse('method_not_allowed');
  // A browser (a page that rebound a name to this address) always sends Origin on a write.
  if (req.headers.origin !== undefined) return refuse('browser_request');
  if (!checks.hostAllowed(hostnameOf(req.headers.host ?? ''))) return refuse('foreign_host');
  if (checks.strict() && !request.session)
    return refuse(token ? 'invalid_session' : 'missing_session');
  const presented = presentedKey(req.headers);
  if (!presented) return refuse('missing_key');
  const resolved = checks.resolve(presented);
  if ('refusal' in resolved) return refuse(resolved.refusal);
  const { mapping, key } = resolved;
  const base = basePath(mapping.upstreamUrl);
  if (grant?.mappings && !grant.mappings.includes(mapping.id))
    return refuse('mapping_not_allowed', base);
  const target = confinedPath(req.url ?? '/');
  if (target === null) return refuse('path_escape', base);
  if (queryHasCredential(target)) return refuse('credential_in_query', base);

  // Every session keeps a share of the upstream pool: no one client may hold all of it.
  const slot = inFlight.take(request.session, request.remote ?? 'unknown');
  if ('refusal' in slot) return refuse(slot.refusal, base, { 'retry-after': '1' });
  return { request, base, mapping, key, target, release: slot.release };
}
