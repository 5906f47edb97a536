import { join } from 'node:path';
import type { HostEnv } from './host-env';

/** One place a Docker-API-compatible engine may answer. */
export interface DockerCandidate {
  /** unix:///path, tcp://host:port or npipe:////./pipe/name */
  endpoint: string;
  label: string;
  /** Which product usually owns this socket; the engine's own answer wins when it differs. */
  hint: 'docker' | 'docker_desktop' | 'colima' | 'orbstack' | 'podman' | 'custom';
}

/**
 * Where to look: only the user's setting when there is one; else DOCKER_HOST, then the
 * platform's usual sockets.
 * Duplicates (the same socket reached two ways) are dropped.
 */
export function dockerCandidates(host: HostEnv, settingHost: string | null): DockerCandidate[] {
  const list: DockerCandidate[] = [];
  const add = (endpoint: string, label: string, hint: DockerCandidate['hint']) => {
    const normalised = normaliseEndpoint(endpoint);
    if (!list.some((c) => c.endpoint === normalised))
      list.push({ endpoint: normalised, label, hint });
  };
  // The endpoint the user chose is the only one: never silently replaced by another socket.
  if (settingHost) {
    add(settingHost, 'Docker (from settings)', 'custom');
    return list;
  }
  if (host.env.DOCKER_HOST) add(host.env.DOCKER_HOST, 'Docker (DOCKER_HOST)', 'custom');

  const home = host.home;
  if (host.platform === 'win32') {
    add('npipe:////./pipe/docker_engine', 'Docker Desktop', 'docker_desktop');
    add('npipe:////./pipe/podman-machine-default', 'Podman', 'podman');
    return list;
  }
  add(
    'unix:///var/run/docker.sock',
    'Docker (default socket)',
    host.platform === 'darwin' ? 'docker_desktop' : 'docker',
  );
  add(`unix://${join(home, '.docker/run/docker.sock')}`, 'Docker Desktop', 'docker_desktop');
  if (host.platform === 'linux')
    add(`unix://${join(home, '.docker/desktop/docker.sock')}`, 'Docker Desktop', 'docker_desktop');
  add(`unix://${join(home, '.colima/default/docker.sock')}`, 'Colima', 'colima');
  add(`unix://${join(home, '.orbstack/run/docker.sock')}`, 'OrbStack', 'orbstack');
  const runtimeDir = host.env.XDG_RUNTIME_DIR;
  if (runtimeDir)
    add(`unix://${join(runtimeDir, 'podman/podman.sock')}`, 'Podman (rootless)', 'podman');
  if (host.platform === 'linux') add('unix:///run/podman/podman.sock', 'Podman', 'podman');
  if (host.platform === 'darwin') {
    add(
      `unix://${join(home, '.local/share/containers/podman/machine/podman.sock')}`,
      'Podman machine',
      'podman',
    );
  }
  return list;
}

export function normaliseEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim();
  if (trimmed.startsWith('/')) return `unix://${trimmed}`;
  return trimmed;
}

export type ParsedEndpoint =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'invalid'; reason: string };

export function parseEndpoint(endpoint: string, env: NodeJS.ProcessEnv = {}): ParsedEndpoint {
  if (endpoint.startsWith('unix://'))
    return { kind: 'socket', socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://'))
    return { kind: 'socket', socketPath: endpoint.slice('npipe://'.length) };
  const tcp = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(endpoint);
  if (tcp) {
    const tls = tcp[1] === 'https' || env.DOCKER_TLS_VERIFY === '1';
    return {
      kind: 'tcp',
      host: (tcp[2] as string).replace(/^\[|\]$/g, ''),
      port: Number(tcp[3]),
      tls,
    };
  }
  if (endpoint.startsWith('ssh://')) {
    return {
      kind: 'invalid',
      reason:
        'ssh:// Docker hosts are not supported; forward the remote socket locally and use unix:// instead',
    };
  }
  return {
    kind: 'invalid',
    reason: `"${endpoint}" is not a Docker endpoint (expected unix:///path, tcp://host:port or npipe:////./pipe/name)`,
  };
}
