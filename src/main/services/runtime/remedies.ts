import type { CheckStatus } from '../../../shared/schemas/runtime';

/**
 * The guide's "Runtime Not Detected" remedies, per cause and OS, so the UI and the API can say
 * exactly what to run instead of sending the user to read the guide.
 */
export interface Remedy {
  message: string;
  fix: string[];
}

export const MIN_DOCKER_VERSION = '20.10.0';
export const MIN_PODMAN_VERSION = '4.0.0';

export function dockerRemedy(
  status: CheckStatus,
  platform: NodeJS.Platform,
  ctx: {
    endpoint: string;
    socketPath?: string;
    product?: string;
    version?: string;
    detail?: string;
  },
): Remedy {
  const linux = platform === 'linux';
  switch (status) {
    case 'ok':
      return {
        message:
          `${ctx.product ?? 'Docker'} ${ctx.version ?? ''} is running at ${ctx.endpoint}.`.replace(
            '  ',
            ' ',
          ),
        fix: [],
      };
    case 'not_installed':
      return linux
        ? {
            message: 'Docker is not installed (no docker command and no Docker socket).',
            fix: [
              'Install Docker Engine, e.g. `sudo apt-get install docker.io` (Debian/Ubuntu)',
              'sudo systemctl start docker',
              'sudo systemctl enable docker',
            ],
          }
        : {
            message: 'Docker is not installed (no docker command and no Docker socket).',
            fix: ['Install Docker Desktop, start it, then press Re-check'],
          };
    case 'not_running':
      return linux
        ? {
            message: `Docker is installed but its daemon is not running (nothing answers at ${ctx.endpoint}).`,
            fix: ['docker version', 'sudo systemctl start docker', 'sudo systemctl enable docker'],
          }
        : {
            message: `Docker is installed but not running (nothing answers at ${ctx.endpoint}).`,
            fix: ['Start Docker Desktop and wait until it says it is running', 'docker version'],
          };
    case 'permission_denied':
      return linux
        ? {
            message: `Permission denied on the Docker socket ${ctx.socketPath ?? ctx.endpoint}: your user is not in the docker group.`,
            fix: [
              'groups $USER | grep docker',
              'sudo usermod -aG docker $USER',
              'newgrp docker  (or log out and back in), then press Re-check',
            ],
          }
        : {
            message: `Permission denied on the Docker socket ${ctx.socketPath ?? ctx.endpoint}.`,
            fix: ['Quit and reopen Docker Desktop', `ls -l ${ctx.socketPath ?? ''}`.trim()],
          };
    case 'too_old':
      return {
        message: `${ctx.product ?? 'Docker'} ${ctx.version ?? ''} is too old; aigo needs Docker ${MIN_DOCKER_VERSION} or newer (Podman ${MIN_PODMAN_VERSION} or newer).`,
        fix: linux
          ? [
              'Update Docker from your distribution or docker.com, then `sudo systemctl restart docker`',
            ]
          : ['Update Docker Desktop'],
      };
    case 'not_applicable':
      return { message: ctx.detail ?? 'Not used on this system.', fix: [] };
    case 'commands_fail':
      return {
        message: `${ctx.product ?? 'Docker'} at ${ctx.endpoint} answers but its commands fail: ${ctx.detail ?? 'unknown error'}.`,
        fix: linux
          ? [
              'sudo systemctl restart docker',
              'Check free disk space (containers need disk to run): df -h /var/lib/docker',
              'Review the app log: aigo logs --last 500',
            ]
          : [
              'Docker Desktop → Quit and reopen',
              'Check free disk space (containers need disk to run)',
              'Review the app log: aigo logs --last 500',
            ],
      };
    case 'error':
      return {
        message: `Docker at ${ctx.endpoint} answered with an error: ${ctx.detail ?? 'unknown error'}.`,
        fix: linux
          ? [
              'sudo systemctl restart docker',
              'Check free disk space: df -h /var/lib/docker',
              'Review the app log: aigo logs --last 500',
            ]
          : [
              'Docker Desktop → Quit and reopen',
              'Check free disk space',
              'Review the app log: aigo logs --last 500',
            ],
      };
  }
}

export function appleContainerRemedy(status: CheckStatus, detail?: string): Remedy {
  switch (status) {
    case 'ok':
      return { message: 'Apple Container is running.', fix: [] };
    case 'not_installed':
      return {
        message: 'Apple Container is not installed (no `container` command on PATH).',
        fix: [
          'which container',
          'container --version',
          'Reinstall from the Apple Container GitHub releases',
        ],
      };
    case 'not_running':
      return {
        message: 'Apple Container is installed but its system service is not running.',
        fix: ['container system start'],
      };
    case 'too_old':
      return {
        message: `Apple Container is too old: ${detail ?? ''}`.trim(),
        fix: ['Install the latest release from the Apple Container GitHub releases'],
      };
    case 'permission_denied':
    case 'commands_fail':
    case 'error':
      return {
        message: `Apple Container failed: ${detail ?? 'unknown error'}.`,
        fix: [
          'container system stop && container system start',
          'Review the app log: aigo logs --last 500',
        ],
      };
    case 'not_applicable':
      return {
        message: detail ?? 'Apple Container needs macOS 15 or newer on Apple Silicon.',
        fix: [],
      };
  }
}

/** Compares dotted versions, ignoring suffixes like `+dfsg1` or `-ce`. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string) =>
    v
      .split(/[^0-9.]/)[0]!
      .split('.')
      .map((n) => Number(n) || 0);
  const a = parse(version);
  const b = parse(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export type ProductHint = 'docker' | 'docker_desktop' | 'colima' | 'orbstack' | 'podman' | 'custom';

/** The command that tells whether a product is installed at all. */
export const PRODUCT_CLI: Record<ProductHint, string> = {
  docker: 'dockerd',
  docker_desktop: 'docker',
  colima: 'colima',
  orbstack: 'orb',
  podman: 'podman',
  custom: 'docker',
};

const PRODUCT_NAME: Record<ProductHint, string> = {
  docker: 'Docker',
  docker_desktop: 'Docker Desktop',
  colima: 'Colima',
  orbstack: 'OrbStack',
  podman: 'Podman',
  custom: 'Docker',
};

/**
 * For the products other than plain Docker, their own words: Colima and OrbStack have their
 * own start commands, Podman its socket unit or machine. Null: the generic Docker remedy fits.
 */
export function productRemedy(
  status: CheckStatus,
  hint: ProductHint,
  platform: NodeJS.Platform,
  endpoint: string,
): Remedy | null {
  if (
    hint === 'docker' ||
    hint === 'custom' ||
    (hint === 'docker_desktop' && status !== 'not_installed')
  )
    return null;
  const name = PRODUCT_NAME[hint];
  if (status === 'not_installed')
    return {
      message: `${name} is not installed (no ${PRODUCT_CLI[hint]} command and no socket at ${endpoint}).`,
      fix: [],
    };
  if (status !== 'not_running' || hint === 'docker_desktop') return null;
  const rootless = endpoint.includes('/run/user/');
  const fix: Record<Exclude<ProductHint, 'docker' | 'custom' | 'docker_desktop'>, string[]> = {
    colima: ['colima start', 'docker version'],
    orbstack: ['orb start', 'docker version'],
    podman:
      platform === 'linux'
        ? rootless
          ? ['systemctl --user enable --now podman.socket', 'podman info']
          : ['sudo systemctl enable --now podman.socket', 'sudo podman info']
        : ['podman machine start', 'podman info'],
  };
  return {
    message: `${name} is installed but not running (nothing answers at ${endpoint}).`,
    fix: fix[hint],
  };
}
