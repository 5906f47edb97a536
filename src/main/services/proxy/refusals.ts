import { PROXY_SESSION_HEADER } from '../../../shared/schemas/proxy';
import type { ProxyLimits } from './proxy-limits';
import { ALLOWED_METHODS, bounded } from './request-guards';

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

/** What a refusal says about the request, for the audit entry and the answer. */
export interface RefusedRequest {
  method: string;
  path: string;
  remote: string | undefined;
  session: string | null;
}

/** What a refusal's text may quote. */
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

/**
 * The answer to a refused request: its status, the error type Anthropic's API would use, and
 * a message that says why and what to do. `base` is the base path of the mapping the request
 * selected ('/' before it selected one).
 */
export function refusalReply(
  refusal: Refusal,
  request: RefusedRequest,
  base: string,
  limits: ProxyLimits,
): { status: number; type: string; message: string } {
  const { status, type, text } = REFUSALS[refusal];
  const context = { method: request.method, base, limits, remote: request.remote ?? 'unknown' };
  const why = typeof text === 'string' ? text : text(context);
  return { status, type, message: `aigo credential proxy: ${why}` };
}
