import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';

/** An address that listens on every interface. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * Where the proxy listens when the user has not chosen: the host-gateway address when it is
 * one of this machine's own addresses (Docker's docker0, Apple Container's vmnet), else
 * loopback (host networking, and Docker Desktop, which forwards host.docker.internal to it).
 * Never all interfaces unless the user asks.
 */
export function autoBindAddress(runtime: RuntimeStatus, interfaces = networkInterfaces()): string {
  const gateway = runtime.networking.hostGateway;
  if (gateway && isIP(gateway) === 4 && gateway !== '127.0.0.1') {
    const local = Object.values(interfaces).some((list) =>
      list?.some((a) => a.address === gateway),
    );
    if (local) return gateway;
  }
  return '127.0.0.1';
}

/**
 * What a container maps the name `host-gateway` to, so ANTHROPIC_BASE_URL is the guide's:
 * - host networking: the container shares the host's loopback, so the bind address itself;
 * - a proxy bound to one of this machine's addresses (docker0, Apple Container's network): it;
 * - otherwise (loopback on Docker Desktop or Podman, or all interfaces): Docker's and Podman's
 *   special value `host-gateway`, which they resolve to the host as the container sees it.
 */
export function hostGatewayTarget(bindAddress: string, runtime: RuntimeStatus): string {
  // The user's host-gateway override (Settings > Container > Runtime) wins.
  if (runtime.networking.source === 'settings' && runtime.networking.hostGateway)
    return runtime.networking.hostGateway;
  if (runtime.networking.source === 'host_network')
    return isWildcardAddress(bindAddress) ? '127.0.0.1' : bindAddress;
  const loopback =
    bindAddress === '127.0.0.1' || bindAddress === '::1' || bindAddress === 'localhost';
  if (!loopback && !isWildcardAddress(bindAddress) && isIP(bindAddress)) return bindAddress;
  if (runtime.backend === 'apple_container' && runtime.networking.hostGateway)
    return runtime.networking.hostGateway;
  return 'host-gateway';
}
