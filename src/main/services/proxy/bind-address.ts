import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';

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

/** The address a container maps the name `host-gateway` to, so ANTHROPIC_BASE_URL is the guide's. */
export function hostGatewayTarget(bindAddress: string, runtime: RuntimeStatus): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  const gateway = runtime.networking.hostGateway;
  // Docker resolves the special value `host-gateway` to the host's address on its bridge.
  return gateway && isIP(gateway) ? gateway : 'host-gateway';
}
