import type { IncomingHttpHeaders } from 'node:http';
import { PROXY_SESSION_HEADER, type ProxyAuth } from '../../../shared/schemas/proxy';
import { isClientCredential } from './request-guards';

/**
 * Headers go through the proxy as raw name/value lists (`rawHeaders`, which http.request and
 * writeHead take as they are): one pass per message, each value checked on its own (a repeated
 * header cannot hide a key behind a harmless first value), no header object copied or changed.
 */
export type RawHeaders = readonly string[];

/** Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
]);

/** Hop-by-hop names, with those the message's Connection headers name as such. */
function hopByHopOf(raw: RawHeaders): (lower: string) => boolean {
  let named: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const name = token.trim().toLowerCase();
      if (name) (named ??= []).push(name);
    }
  }
  return named
    ? (lower) => HOP_BY_HOP.has(lower) || named.includes(lower)
    : HOP_BY_HOP.has.bind(HOP_BY_HOP);
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
 * A client's request headers as the upstream gets them: no hop-by-hop headers, no session
 * token, no credential of the client's (the container's placeholder included, also when the
 * upstream takes no key), the upstream's Host, and the real key where the upstream reads it.
 */
export function upstreamHeaders(
  raw: RawHeaders,
  auth: ProxyAuth,
  key: string | null,
  host: string,
): string[] {
  const hopByHop = hopByHopOf(raw);
  const credential = credentialHeader(auth, key);
  // The header the key goes in is never the client's, whatever it holds and however it is named.
  const injected = credential?.[0].toLowerCase() ?? null;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === PROXY_SESSION_HEADER || lower === injected) continue;
    if (hopByHop(lower) || isClientCredential(lower, value)) continue;
    // With a key sent, the answer must come uncompressed: its body is checked for the key.
    if (credential && lower === 'accept-encoding') continue;
    out.push(name, value);
  }
  out.push('host', host);
  if (credential) out.push(credential[0], credential[1], 'accept-encoding', 'identity');
  return out;
}

/**
 * An upstream's response headers as the container gets them: no hop-by-hop headers, and none
 * that carries the key (as is, or percent-encoded) — an upstream that echoes the request's
 * headers must not hand the key to the container.
 */
export function downstreamHeaders(raw: RawHeaders, key: string | null): string[] {
  const hopByHop = hopByHopOf(raw);
  const forms = keyForms(key);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (hopByHop(name.toLowerCase())) continue;
    if (forms.some((form) => value.includes(form))) continue;
    out.push(name, value);
  }
  return out;
}

let lastForms: { key: string | null; forms: string[] } = { key: null, forms: [] };

/** The key as is and percent-encoded; the last key's kept, as one mapping serves most requests. */
function keyForms(key: string | null): string[] {
  if (key !== lastForms.key) lastForms = { key, forms: key ? [key, encodeURIComponent(key)] : [] };
  return lastForms.forms;
}

/** Whether a header of the list is present (names compared case-insensitively). */
export function hasHeader(raw: RawHeaders, lower: string): boolean {
  for (let i = 0; i < raw.length; i += 2)
    if ((raw[i] as string).toLowerCase() === lower) return true;
  return false;
}
