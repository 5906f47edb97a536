import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import { APPLE_CONTAINER_DEFAULT_GATEWAY } from './apple-container-probe';
import type { DockerProbeSuccess } from './docker-probe';
import type { HostEnv } from './host-env';

type Networking = RuntimeStatus['networking'];

/**
 * How a container reaches the host (the credential proxy, the IPC bridge): the platform's
 * usual gateway, read from the real system where it can be, overridable in settings.
 */
export async function dockerNetworking(
  host: HostEnv,
  docker: DockerProbeSuccess,
  override: string | null,
  agentNetwork: 'auto' | 'host' = 'auto',
): Promise<Networking> {
  // Chosen in Settings: containers share the host's network, whatever bridges the engine has.
  if (agentNetwork === 'host') return HOST_NETWORK;
  const addHost = ['--add-host=host.docker.internal:host-gateway'];
  if (override)
    return {
      hostGateway: override,
      extraRunArgs: docker.isPodman ? [] : addHost,
      source: 'settings',
    };
  if (docker.isPodman)
    return { hostGateway: 'host.containers.internal', extraRunArgs: [], source: 'podman' };
  if (/docker desktop|orbstack/i.test(docker.operatingSystem) || host.platform !== 'linux') {
    return { hostGateway: 'host.docker.internal', extraRunArgs: [], source: 'docker_desktop' };
  }
  const docker0 = host.interfaceIPv4('docker0');
  if (docker0) return { hostGateway: docker0, extraRunArgs: addHost, source: 'docker0' };
  try {
    const bridge = (await docker.client.getNetwork('bridge').inspect()) as {
      IPAM?: { Config?: { Gateway?: string }[] };
    };
    const gateway = bridge.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
    if (gateway) return { hostGateway: gateway, extraRunArgs: addHost, source: 'bridge_network' };
  } catch {
    // No bridge network: the engine runs with --bridge=none.
  }
  // Without a bridge, containers share the host's network (`--network host`) and loopback is the host.
  return HOST_NETWORK;
}

const HOST_NETWORK: Networking = {
  hostGateway: '127.0.0.1',
  extraRunArgs: ['--network=host'],
  source: 'host_network',
};

export function appleContainerNetworking(
  gateway: string | null,
  override: string | null,
): Networking {
  if (override) return { hostGateway: override, extraRunArgs: [], source: 'settings' };
  return {
    hostGateway: gateway ?? APPLE_CONTAINER_DEFAULT_GATEWAY,
    extraRunArgs: [],
    source: 'apple_container',
  };
}
