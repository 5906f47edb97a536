import type { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { autoBindAddress, hostGatewayTarget } from '../../src/main/services/proxy/bind-address';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';

const runtime = (
  networking: RuntimeStatus['networking'],
  backend: RuntimeStatus['backend'] = 'docker',
): RuntimeStatus => ({
  available: true,
  backend,
  product: 'Docker Engine',
  version: '27.0.0',
  apiVersion: '1.46',
  endpoint: 'unix:///var/run/docker.sock',
  networking,
  disk: null,
  message: '',
  checks: [],
  checkedAt: new Date(0).toISOString(),
});
const lan = {
  eth0: [
    { address: '172.17.0.1', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
  ],
} as unknown as ReturnType<typeof networkInterfaces>;

describe('where the proxy listens and how containers reach it', () => {
  it('binds the docker0 address when it is this machine’s, and containers use it directly', () => {
    const r = runtime({ hostGateway: '172.17.0.1', extraRunArgs: [], source: 'docker0' });
    expect(autoBindAddress(r, lan)).toBe('172.17.0.1');
    expect(hostGatewayTarget('172.17.0.1', r)).toBe('172.17.0.1');
  });

  it('binds loopback on Docker Desktop, and containers use Docker’s host-gateway, not their own loopback', () => {
    const r = runtime({
      hostGateway: 'host.docker.internal',
      extraRunArgs: [],
      source: 'docker_desktop',
    });
    expect(autoBindAddress(r, {})).toBe('127.0.0.1');
    expect(hostGatewayTarget('127.0.0.1', r)).toBe('host-gateway');
  });

  it('uses loopback itself when containers share the host network', () => {
    const r = runtime({
      hostGateway: '127.0.0.1',
      extraRunArgs: ['--network=host'],
      source: 'host_network',
    });
    expect(autoBindAddress(r, {})).toBe('127.0.0.1');
    expect(hostGatewayTarget('127.0.0.1', r)).toBe('127.0.0.1');
  });

  it('never binds all interfaces by itself, and maps an explicit 0.0.0.0 to the gateway', () => {
    const r = runtime(
      { hostGateway: '192.168.64.1', extraRunArgs: [], source: 'apple_container' },
      'apple_container',
    );
    expect(autoBindAddress(r, {})).toBe('127.0.0.1');
    expect(hostGatewayTarget('0.0.0.0', r)).toBe('192.168.64.1');
  });

  it("uses the user's host-gateway override for containers, whatever the proxy binds", () => {
    const r = runtime({ hostGateway: '10.1.2.3', extraRunArgs: [], source: 'settings' });
    expect(hostGatewayTarget('127.0.0.1', r)).toBe('10.1.2.3');
    expect(hostGatewayTarget('0.0.0.0', r)).toBe('10.1.2.3');
  });
});
