import type { IncomingHttpHeaders } from 'node:http';
import { PROXY_SESSION_HEADER, type ProxyAuth } from '../../../shared/schemas/proxy';
import { stripClientCredentials } from './request-guards';

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

/** Removes the hop-by-hop headers, and those the Connection header names as such. */
export function stripHopByHop(headers: Record<string, unknown>): void {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...named]) delete headers[h];
}

/** The key a client presents, which selects the mapping: x-api-key, else a bearer token. */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey.trim();
  const auth = headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return null;
}

/** The header an upstream reads its key from, with the key in it; none for a keyless upstream. */
export function credentialHeader(
  auth: ProxyAuth,
  key: string | null,
): [name: string, value: string] | null {
  if (auth.type === 'none' || key === null) return null;
  if (auth.type === 'x-api-key') return ['x-api-key', key];
  if (auth.type === 'bearer') return ['authorization', `Bearer ${key}`];
  return [auth.header, key];
}

/**
 * Readies a client's request headers for the upstream, in place: no hop-by-hop headers, no
 * session token, no credential of the client's, and the real key where the upstream reads it.
 */
export function injectCredential(
  headers: IncomingHttpHeaders,
  auth: ProxyAuth,
  key: string | null,
): void {
  stripHopByHop(headers as Record<string, unknown>);
  delete headers[PROXY_SESSION_HEADER];
  // Only the injected credential goes upstream: every other credential-bearing header goes,
  // the container's placeholder included, also when the upstream takes no key.
  stripClientCredentials(headers);
  const credential = credentialHeader(auth, key);
  if (credential) headers[credential[0].toLowerCase()] = credential[1];
}
