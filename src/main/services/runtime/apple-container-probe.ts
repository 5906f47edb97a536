import type { RuntimeCheck } from '../../../shared/schemas/runtime';
import type { HostEnv } from './host-env';
import { appleContainerRemedy } from './remedies';

export const APPLE_CONTAINER_DEFAULT_GATEWAY = '192.168.64.1';

export interface AppleContainerProbeResult {
  check: RuntimeCheck;
  running: boolean;
  version: string | null;
  /** The host-side address of the container network, when the CLI reports one. */
  gateway: string | null;
}

/** Apple Container runs only on macOS 15 (Darwin 24) or newer on Apple Silicon. */
export function appleContainerSupported(host: HostEnv): boolean {
  return host.platform === 'darwin' && host.arch === 'arm64' && host.darwinMajor >= 24;
}

export async function probeAppleContainer(host: HostEnv): Promise<AppleContainerProbeResult> {
  const started = Date.now();
  const result = (
    status: RuntimeCheck['status'],
    version: string | null,
    detail?: string,
    gateway: string | null = null,
  ): AppleContainerProbeResult => {
    const remedy = appleContainerRemedy(status, detail);
    return {
      check: {
        backend: 'apple_container',
        endpoint: 'container',
        label: 'Apple Container',
        status,
        message: remedy.message,
        fix: remedy.fix,
        version,
        durationMs: Date.now() - started,
      },
      running: status === 'ok',
      version,
      gateway,
    };
  };

  if (!appleContainerSupported(host)) {
    return result(
      'not_applicable',
      null,
      'Apple Container needs macOS 15 or newer on Apple Silicon; Docker is used here.',
    );
  }
  const cli = await host.which('container');
  if (!cli) return result('not_installed', null);
  const versionRun = await host.run(cli, ['--version'], 5000);
  if (versionRun.code !== 0)
    return result('error', null, versionRun.stderr.trim() || versionRun.error);
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(versionRun.stdout)?.[1] ?? versionRun.stdout.trim();
  const status = await host.run(cli, ['system', 'status'], 5000);
  const text = `${status.stdout}\n${status.stderr}`;
  if (status.code !== 0 || /not running|not registered|stopped/i.test(text))
    return result('not_running', version);
  const gateway = /gateway[^0-9]*(\d+\.\d+\.\d+\.\d+)/i.exec(text)?.[1] ?? null;
  return result('ok', version, undefined, gateway);
}
