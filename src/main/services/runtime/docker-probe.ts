import type Docker from 'dockerode';
import type { CheckStatus, RuntimeCheck } from '../../../shared/schemas/runtime';
import { parseEndpoint, type DockerCandidate } from './candidates';
import type { HostEnv } from './host-env';
import {
  dockerRemedy,
  MIN_DOCKER_VERSION,
  MIN_PODMAN_VERSION,
  PRODUCT_CLI,
  productRemedy,
  versionAtLeast,
  type Remedy,
} from './remedies';
import { loadDockerodeInSlices } from './load-dockerode';
import { remoteClientOptions } from './remote-access';
import { remoteFailure, remoteRemedy, remoteSetupRemedy } from './remote-remedies';

export interface DockerProbeSuccess {
  /** Requests bounded by the probe timeout: for short calls. */
  client: Docker;
  /** No timeout: for streams that stay open (events, logs, builds). */
  streamingClient: Docker;
  endpoint: string;
  product: string;
  version: string;
  apiVersion: string;
  operatingSystem: string;
  /** Where the engine keeps images (`DockerRootDir`), as the engine sees it. */
  rootDir: string | null;
  isPodman: boolean;
  /** The engine runs as a user, not root: container uids map into that user's subordinate range. */
  rootless: boolean;
}

export interface DockerProbeResult {
  check: RuntimeCheck;
  success: DockerProbeSuccess | null;
}

const PROBE_TIMEOUT_MS = 3000;

/**
 * A client for one endpoint. `timeoutMs` bounds every request, streams included, so long-lived
 * streams (engine events, logs, builds) need a client made with `null`. A string is why no
 * client can be made (an unusable endpoint, a missing certificate or key).
 */
export async function createDockerClient(
  candidate: DockerCandidate,
  host: HostEnv,
  timeoutMs: number | null = PROBE_TIMEOUT_MS,
): Promise<Docker | string> {
  const parsed = parseEndpoint(candidate.endpoint, candidate.access?.tlsVerify);
  if (parsed.kind === 'invalid') return parsed.reason;
  const timeout = timeoutMs === null ? {} : { timeout: timeoutMs };
  const Docker = await loadDockerodeInSlices();
  if (parsed.kind === 'socket') return new Docker({ socketPath: parsed.socketPath, ...timeout });
  const setup = await remoteClientOptions(parsed, candidate.access, host.home, host.env, timeoutMs);
  if (!setup.ok) return setup.problem;
  // Over SSH the request runs on an SSH channel, which has no socket timeout to set: bound the
  // wait for the answer instead.
  if (parsed.kind === 'ssh')
    return new Docker({
      ...setup.options,
      ...(timeoutMs === null ? {} : { connectionTimeout: timeoutMs }),
    });
  return new Docker({ ...setup.options, ...timeout });
}

/** Connects to one candidate and classifies the outcome into a check with its remedy. */
export async function probeDocker(
  candidate: DockerCandidate,
  host: HostEnv,
): Promise<DockerProbeResult> {
  const started = Date.now();
  const parsed = parseEndpoint(candidate.endpoint, candidate.access?.tlsVerify);
  const socketPath = parsed.kind === 'socket' ? parsed.socketPath : undefined;
  const remote = parsed.kind === 'tcp' || parsed.kind === 'ssh' ? parsed : null;
  const finish = (
    status: CheckStatus,
    extra: { version?: string; product?: string; detail?: string; remedy?: Remedy } = {},
  ): RuntimeCheck => {
    const remedy =
      extra.remedy ??
      (remote && (status === 'too_old' || status === 'commands_fail' || status === 'error')
        ? remoteRemedy(status, remote, candidate.endpoint, extra.detail ?? extra.version ?? '')
        : null) ??
      productRemedy(status, candidate.hint, host.platform, candidate.endpoint) ??
      dockerRemedy(status, host.platform, {
        endpoint: candidate.endpoint,
        ...(socketPath ? { socketPath } : {}),
        ...extra,
      });
    return {
      backend: 'docker',
      endpoint: candidate.endpoint,
      label: extra.product && status === 'ok' ? extra.product : candidate.label,
      status,
      message: remedy.message,
      fix: remedy.fix,
      version: extra.version ?? null,
      durationMs: Date.now() - started,
    };
  };

  if (parsed.kind === 'invalid')
    return { check: finish('error', { detail: parsed.reason }), success: null };
  if (socketPath && host.platform !== 'win32' && !(await host.socketExists(socketPath))) {
    // No socket: tell "never installed" from "installed but stopped" by this product's own
    // command (Colima's socket missing says nothing about Docker, and the other way round).
    const installed =
      candidate.hint === 'docker' || candidate.hint === 'custom'
        ? ((await host.which('docker')) ?? (await host.which('dockerd')))
        : await host.which(PRODUCT_CLI[candidate.hint]);
    return { check: finish(installed ? 'not_running' : 'not_installed'), success: null };
  }

  const client = await createDockerClient(candidate, host);
  if (typeof client === 'string')
    return {
      check: finish('error', {
        detail: client,
        ...(remote ? { remedy: remoteSetupRemedy(client, candidate.access) } : {}),
      }),
      success: null,
    };
  try {
    await client.ping();
    // Once the engine answers, its three questions go at once (each waits on the engine, not on
    // the one before): a detection, and so every start of aigo, is two round trips shorter.
    // Ping and version are answered by a daemon whose storage or runtime is broken; listing
    // containers, a cheap real command, tells whether containers can be used at all.
    const [version, infoAnswer, failure] = await Promise.all([
      client.version(),
      // `info` walks the engine's images and containers and can be slow on a busy engine; what
      // it adds (product name, image folder) is worth having but not worth calling the engine
      // down.
      client.info().catch(() => ({})),
      commandFailure(client),
    ]);
    const info = infoAnswer as {
      OperatingSystem?: string;
      Name?: string;
      DockerRootDir?: string;
      SecurityOptions?: string[];
    };
    const components =
      (version as { Components?: { Name: string; Version: string }[] }).Components ?? [];
    const podman = components.find((c) => /podman/i.test(c.Name));
    const operatingSystem = info.OperatingSystem ?? '';
    const product = podman ? 'Podman' : productName(candidate, operatingSystem, info.Name ?? '');
    const engineVersion = podman?.Version ?? version.Version;
    const minimum = podman ? MIN_PODMAN_VERSION : MIN_DOCKER_VERSION;
    if (!versionAtLeast(engineVersion, minimum)) {
      return { check: finish('too_old', { version: engineVersion, product }), success: null };
    }
    if (failure)
      return {
        check: finish('commands_fail', { version: engineVersion, product, detail: failure }),
        success: null,
      };
    return {
      check: finish('ok', { version: engineVersion, product }),
      success: {
        client,
        streamingClient: (await createDockerClient(candidate, host, null)) as Docker,
        endpoint: candidate.endpoint,
        product,
        version: engineVersion,
        apiVersion: version.ApiVersion,
        operatingSystem,
        rootDir: info.DockerRootDir ?? null,
        isPodman: Boolean(podman),
        rootless: (info.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o)),
      },
    };
  } catch (error) {
    if (remote) {
      const failure = remoteFailure(error, remote, candidate.endpoint, candidate.access);
      return { check: finish(failure.status, { remedy: failure }), success: null };
    }
    const status = classifyDockerError(error);
    return { check: finish(status, { detail: describeError(error) }), success: null };
  }
}

/** The engine's own error when it cannot list containers, else null. */
export async function commandFailure(client: Docker): Promise<string | null> {
  try {
    await client.listContainers({ limit: 1 });
    return null;
  } catch (error) {
    return describeError(error);
  }
}

function productName(candidate: DockerCandidate, operatingSystem: string, name: string): string {
  if (/docker desktop/i.test(operatingSystem)) return 'Docker Desktop';
  if (/orbstack/i.test(operatingSystem) || candidate.hint === 'orbstack') return 'OrbStack';
  if (/colima/i.test(name) || candidate.hint === 'colima') return 'Colima';
  return 'Docker Engine';
}

export function classifyDockerError(error: unknown): CheckStatus {
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission_denied';
  if (
    [
      'ENOENT',
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENOTSOCK',
    ].includes(e.code ?? '')
  )
    return 'not_running';
  if (/timeout/i.test(e.message ?? '')) return 'not_running';
  return 'error';
}

export function describeError(error: unknown): string {
  const e = error as {
    code?: string;
    statusCode?: number;
    message?: string;
    json?: { message?: string };
  };
  if (e.json?.message) return e.json.message;
  if (e.statusCode) return `HTTP ${e.statusCode}${e.message ? `: ${e.message}` : ''}`;
  return e.message ?? String(error);
}
