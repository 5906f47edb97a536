import type { RuntimeStatus } from '../../../shared/schemas/runtime';

type Networking = RuntimeStatus['networking'];

/** How containers reach the host while no engine says: only what the settings name. */
export function noNetworking(override: string | null): Networking {
  return override
    ? { hostGateway: override, extraRunArgs: [], source: 'settings' }
    : { hostGateway: null, extraRunArgs: [], source: 'unknown' };
}

/** A status with no engine in it: why, how containers would reach the host, what was checked. */
export function unavailableStatus(
  message: string,
  networking: Networking,
  checks: RuntimeStatus['checks'],
  checkedAt = new Date().toISOString(),
): RuntimeStatus {
  return {
    available: false,
    backend: null,
    product: null,
    version: null,
    apiVersion: null,
    endpoint: null,
    networking,
    disk: null,
    message,
    checks,
    checkedAt,
  };
}

/**
 * The runtime's status before its first detection has answered. Small on purpose: the API
 * answers with it while the runtime service itself is still loading (app.ts).
 */
export function detectingStatus(): RuntimeStatus {
  return unavailableStatus('Detecting the container runtime…', noNetworking(null), []);
}
