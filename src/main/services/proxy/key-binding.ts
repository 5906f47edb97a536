import type { ProxyMapping } from '../../../shared/schemas/proxy';
import type { SecretStore } from '../secrets/secret-store';
import { originOf } from './upstream-url';

/**
 * A stored key is bound to the upstream origin it was entered for, so that whoever may edit a
 * mapping cannot point it elsewhere and have the key sent there.
 */
const BINDING_PREFIX = 'upstream:';

/** What a stored key is bound to: the upstream origin (scheme, host, port) it was entered for. */
export function keyBinding(upstreamUrl: string): string {
  return `${BINDING_PREFIX}${originOf(upstreamUrl)}`;
}

/** The origin a binding names, or null when it is none of the proxy's (or no binding at all). */
export function boundOrigin(binding: string | null): string | null {
  return binding?.startsWith(BINDING_PREFIX) ? binding.slice(BINDING_PREFIX.length) : null;
}

/** A mapping's key, only when it was entered for the origin the mapping names now. */
export function boundKey(secrets: SecretStore, mapping: ProxyMapping): string | null {
  return secrets.getBound(mapping.id, keyBinding(mapping.upstreamUrl));
}
