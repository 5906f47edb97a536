import type { HostEnv } from '../../src/main/services/runtime/host-env';

/**
 * Host facts for detection tests: which sockets exist and which commands are on PATH. Socket
 * existence defers to the real filesystem for paths under `realSocketsUnder`, so a fake Docker
 * API server on a temp socket is probed for real.
 */
export function fakeHost(
  overrides: Partial<HostEnv> & {
    sockets?: string[];
    commands?: string[];
    realSocketsUnder?: string;
  } = {},
): HostEnv {
  const { sockets = [], commands = [], realSocketsUnder, ...rest } = overrides;
  return {
    platform: 'linux',
    arch: 'x64',
    darwinMajor: 0,
    home: '/home/tester',
    env: {},
    async socketExists(path) {
      if (realSocketsUnder && path.startsWith(realSocketsUnder)) {
        const { stat } = await import('node:fs/promises');
        return stat(path).then(
          (s) => s.isSocket(),
          () => false,
        );
      }
      return sockets.includes(path);
    },
    async which(command) {
      return commands.includes(command) ? `/usr/bin/${command}` : null;
    },
    async run() {
      return { code: 127, stdout: '', stderr: 'not found' };
    },
    interfaceIPv4: () => null,
    ...rest,
  };
}
