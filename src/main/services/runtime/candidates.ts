import { join } from 'node:path';
import type { Settings } from '../../../shared/schemas/settings';
import type { HostEnv } from './host-env';

/** One place a Docker-API-compatible engine may answer. */
export interface DockerCandidate {
  /** unix:///path, tcp://host:port or npipe:////./pipe/name */
  endpoint: string;
  label: string;
  /** Which product usually owns this socket; the engine's own answer wins when it differs. */
  hint: 'docker' | 'docker_desktop' | 'colima' | 'orbstack' | 'podman' | 'custom';
  /** How to reach a remote engine: TLS like DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, an SSH key. */
  access?: RemoteAccess;
}

export interface RemoteAccess {
  /** Use TLS and verify the engine's certificate (what DOCKER_TLS_VERIFY=1 does). */
  tlsVerify: boolean;
  /** A folder with ca.pem, cert.pem and key.pem (what DOCKER_CERT_PATH names). */
  certPath: string | null;
  /** A private key for ssh:// endpoints; else the SSH agent and the usual ~/.ssh keys. */
  sshIdentityFile: string | null;
  /** Where the access came from, for messages: the Settings page or the environment. */
  from: 'settings' | 'environment';
}

type RemoteSettings = Pick<
  Settings['runtime'],
  'dockerHost' | 'dockerTlsVerify' | 'dockerCertPath' | 'dockerSshIdentityFile'
>;

/**
 * Where to look: only the user's setting when there is one; else DOCKER_HOST, then the
 * platform's usual sockets.
 * Duplicates (the same socket reached two ways) are dropped.
 */
export function dockerCandidates(host: HostEnv, chosen: RemoteSettings): DockerCandidate[] {
  const settingHost = chosen.dockerHost;
  const list: DockerCandidate[] = [];
  const add = (
    endpoint: string,
    label: string,
    hint: DockerCandidate['hint'],
    access?: RemoteAccess,
  ) => {
    const normalised = normaliseEndpoint(endpoint);
    if (!list.some((c) => c.endpoint === normalised))
      list.push({ endpoint: normalised, label, hint, ...(access ? { access } : {}) });
  };
  // The endpoint the user chose is the only one: never silently replaced by another socket.
  if (settingHost) {
    add(settingHost, 'Docker (from settings)', 'custom', {
      tlsVerify: chosen.dockerTlsVerify,
      certPath: chosen.dockerCertPath ? expandHome(chosen.dockerCertPath, host.home) : null,
      sshIdentityFile: chosen.dockerSshIdentityFile
        ? expandHome(chosen.dockerSshIdentityFile, host.home)
        : null,
      from: 'settings',
    });
    return list;
  }
  if (host.env.DOCKER_HOST) {
    // The Docker CLI's rules: any DOCKER_TLS_VERIFY turns TLS on; certificates default to ~/.docker.
    const tlsVerify = Boolean(host.env.DOCKER_TLS_VERIFY);
    add(host.env.DOCKER_HOST, 'Docker (DOCKER_HOST)', 'custom', {
      tlsVerify,
      certPath: tlsVerify ? host.env.DOCKER_CERT_PATH || join(host.home, '.docker') : null,
      sshIdentityFile: null,
      from: 'environment',
    });
  }

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

export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

export type ParsedEndpoint =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'ssh'; user: string | null; host: string; port: number }
  | { kind: 'invalid'; reason: string };

/** `tls` here is what the scheme says (`https://`, or `tcp://` with TLS verification asked for). */
export function parseEndpoint(endpoint: string, tlsVerify = false): ParsedEndpoint {
  if (endpoint.startsWith('unix://'))
    return { kind: 'socket', socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://'))
    return { kind: 'socket', socketPath: endpoint.slice('npipe://'.length) };
  const tcp = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(endpoint);
  if (tcp) {
    const tls = tcp[1] === 'https' || tlsVerify;
    return {
      kind: 'tcp',
      host: (tcp[2] as string).replace(/^\[|\]$/g, ''),
      port: Number(tcp[3]),
      tls,
    };
  }
  const ssh = /^ssh:\/\/(?:([^@/:]+)@)?([^:/@]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(endpoint);
  if (ssh) {
    return {
      kind: 'ssh',
      user: ssh[1] ?? null,
      host: (ssh[2] as string).replace(/^\[|\]$/g, ''),
      port: ssh[3] ? Number(ssh[3]) : 22,
    };
  }
  return {
    kind: 'invalid',
    reason: `"${endpoint}" is not a Docker endpoint (expected unix:///path, tcp://host:port, ssh://user@host or npipe:////./pipe/name)`,
  };
}

/** An engine on another machine: it cannot see this computer's folders. */
export function isRemoteEndpoint(endpoint: string | null): boolean {
  return endpoint !== null && /^(tcp|http|https|ssh):\/\//.test(endpoint) && !isLoopback(endpoint);
}

function isLoopback(endpoint: string): boolean {
  const host = /^[a-z]+:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/.exec(endpoint)?.[1] ?? '';
  return /^(127\.|localhost$|\[::1\]$)/.test(host);
}

export const REMOTE_ENGINE_NOTE =
  'It is on another machine: images build there, but agent sessions share folders with their container (the workspace, the IPC folder), so they need an engine on this computer.';
