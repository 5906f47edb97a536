import { containsSecret } from '../logging/redact';

/**
 * What the credential proxy checks on a request before a real key goes with it, and on a
 * response before it goes back: methods, credentials the client sends, the path, and a key an
 * upstream reflects.
 */

/** Methods an LLM API is called with. TRACE echoes the request (key included); CONNECT tunnels. */
export const ALLOWED_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

/**
 * Header names that carry credentials in any API seen so far: authorization and its proxy form,
 * cookies, `*-key` (x-api-key, api-key, x-goog-api-key, ocp-apim-subscription-key,
 * x-functions-key), `*-token` (x-auth-token, x-amz-security-token), secrets, passwords,
 * sessions and signatures. Matched as substrings, so spellings like `apikey` are caught too.
 */
const CREDENTIAL_HEADER =
  /auth|key|token|secret|passw|cookie|credential|session|signature|jwt|bearer|csrf|xsrf/;
/** Names the pattern catches that SDKs send and that carry no credential. */
const NOT_CREDENTIALS = new Set(['idempotency-key']);

/**
 * Whether a header carries a credential, by its name or by a value shaped like a key or a
 * bearer token: such headers are dropped so that only the one the proxy injects goes upstream.
 */
export function isClientCredential(lowerName: string, value: string): boolean {
  if (CREDENTIAL_HEADER.test(lowerName) && !NOT_CREDENTIALS.has(lowerName)) return true;
  return containsSecret(value);
}

const CREDENTIAL_PARAM =
  /^(x-)?(key|api[-_]?key|access[-_]?token|id[-_]?token|token|auth|authorization|secret|client[-_]?secret|password|passwd)$/i;

/** Whether the query string carries a credential (by parameter name or by its value's shape). */
export function queryHasCredential(target: string): boolean {
  const q = target.indexOf('?');
  if (q < 0) return false;
  const params = new URLSearchParams(target.slice(q + 1));
  for (const [name, value] of params)
    if (CREDENTIAL_PARAM.test(name) || containsSecret(value)) return true;
  return false;
}

/** What a dot segment needs somewhere in the path: a percent sign, a backslash or `/.`. */
const PATH_TRICK = /%|\\|\/\./;

/** Decodes %XX of ASCII characters only (what path tricks use), repeatedly: %252e is a dot too. */
function decodeAscii(path: string): string {
  let current = path;
  for (let i = 0; i < 5; i++) {
    const next = current.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

/** `..`, `.` and their `;param` forms (`..;` is `..` to some servers). */
function dotSegment(segment: string): '.' | '..' | null {
  const bare = segment.split(';')[0];
  return bare === '.' || bare === '..' ? bare : null;
}

function encodeSegment(segment: string): string {
  let plain = segment;
  try {
    plain = decodeURIComponent(segment);
  } catch {
    // not valid percent-encoding: encode it as it stands
  }
  return encodeURIComponent(plain);
}

/**
 * The path to forward below the mapping's base path, or null when the request path escapes it
 * (or is not a path at all). Reads the path the way the most lenient upstream would — percent-
 * encoded dots and slashes decoded, backslashes as slashes — so no reading of it can climb out.
 * A path without dot segments is forwarded untouched; one with them is forwarded resolved.
 */
export function confinedPath(target: string): string | null {
  if (!target.startsWith('/')) return null; // absolute-form or `*`: not addressed to a path
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  // Nothing encoded, no backslash, no dot right after a slash: no segment can be a dot segment.
  if (!PATH_TRICK.test(path)) return target;
  const query = q < 0 ? '' : target.slice(q);
  const segments = decodeAscii(path).replace(/\\/g, '/').split('/').slice(1);
  if (!segments.some((s) => dotSegment(s) !== null)) return target;
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const dot = dotSegment(segment);
    if (dot === '..') {
      if (out.length === 0) return null; // above the base path
      out.pop();
    } else if (dot === null) out.push(segment);
    if (dot !== null && i === segments.length - 1) out.push(''); // `/a/b/..` is the folder `/a/`
  }
  return `/${out.map(encodeSegment).join('/')}${query}`;
}

/** At most `max` characters, so an entry about a hostile request stays small. */
export function bounded(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
