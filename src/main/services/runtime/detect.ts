import type { RuntimeCheck, RuntimeStatus } from '../../../shared/schemas/runtime';
import type { Settings } from '../../../shared/schemas/settings';
import { probeAppleContainer } from './apple-container-probe';
import { dockerCandidates, isRemoteEndpoint, REMOTE_ENGINE_NOTE } from './candidates';
import { probeDocker, type DockerProbeSuccess } from './docker-probe';
import type { HostEnv } from './host-env';
import { engineDisk, lowDiskMessage } from './disk';
import { appleContainerNetworking, dockerNetworking } from './networking';
import { noNetworking, unavailableStatus } from './initial-status';

export interface Detection {
  status: RuntimeStatus;
  docker: DockerProbeSuccess | null;
}

/**
 * One full detection pass. Order: Apple Container first where it is supported and the user
 * did not force Docker, then each Docker candidate until one answers. Every candidate probed
 * is reported with why it failed, so the UI can show the exact fix.
 */
export async function detectRuntime(
  host: HostEnv,
  settings: Settings['runtime'],
): Promise<Detection> {
  const checks: RuntimeCheck[] = [];
  const override = settings.hostGatewayOverride;
  const checkedAt = () => new Date().toISOString();

  if (settings.preferred !== 'docker') {
    const apple = await probeAppleContainer(host);
    checks.push(apple.check);
    if (apple.running) {
      return {
        docker: null,
        status: {
          available: true,
          backend: 'apple_container',
          product: 'Apple Container',
          version: apple.version,
          apiVersion: null,
          endpoint: 'container',
          networking: appleContainerNetworking(apple.gateway, override),
          disk: null,
          message: `Apple Container${apple.version ? ` ${apple.version}` : ''} is running.`,
          checks,
          checkedAt: checkedAt(),
        },
      };
    }
  }

  if (settings.preferred !== 'apple_container') {
    for (const candidate of dockerCandidates(host, settings)) {
      const probe = await probeDocker(candidate, host);
      checks.push(probe.check);
      if (probe.success) {
        const d = probe.success;
        // An engine in a VM reports a root folder that is not on this host; only local ones count.
        const disk =
          d.operatingSystem.match(/docker desktop|orbstack/i) || d.isPodman
            ? null
            : await engineDisk(d.rootDir);
        return {
          docker: d,
          status: {
            available: true,
            backend: 'docker',
            product: d.product,
            version: d.version,
            apiVersion: d.apiVersion,
            endpoint: candidate.endpoint,
            rootless: d.rootless,
            networking: await dockerNetworking(host, d, override, settings.agentNetwork),
            disk,
            message: [
              probe.check.message,
              disk?.low ? lowDiskMessage(disk) : '',
              isRemoteEndpoint(candidate.endpoint) ? REMOTE_ENGINE_NOTE : '',
            ]
              .filter(Boolean)
              .join(' '),
            checks,
            checkedAt: checkedAt(),
          },
        };
      }
    }
  }

  return {
    docker: null,
    status: unavailableStatus(
      summariseFailure(checks, settings.preferred),
      noNetworking(override),
      checks,
      checkedAt(),
    ),
  };
}

/** The one line a user reads first: the most actionable failure, with its first fix. */
export function summariseFailure(
  checks: RuntimeCheck[],
  preferred: Settings['runtime']['preferred'],
): string {
  const rank: Record<RuntimeCheck['status'], number> = {
    permission_denied: 0,
    too_old: 1,
    commands_fail: 2,
    error: 3,
    not_running: 4,
    not_installed: 5,
    not_applicable: 6,
    ok: 7,
  };
  const relevant = checks.filter((c) => c.status !== 'not_applicable');
  const best = [...relevant].sort((a, b) => rank[a.status] - rank[b.status])[0];
  if (!best) {
    return preferred === 'apple_container'
      ? 'No container runtime: Apple Container is not supported on this system. Choose Automatic or Docker under Settings > Container > Runtime preferences.'
      : 'No container runtime found.';
  }
  const allMissing = relevant.every((c) => c.status === 'not_installed');
  const lead = allMissing
    ? 'No container runtime is installed.'
    : 'No container runtime is available.';
  const fix = best.fix.length ? ` Fix: ${best.fix.join(' → ')}` : '';
  return `${lead} ${best.message}${fix}`;
}
