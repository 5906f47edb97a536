import { join } from 'node:path';
import { realPathOrNull } from './path-utils';

/**
 * What no agent may ever see, whatever the allowlist says: aigo's data folder (settings, keys,
 * the audit log) and the sockets that control the container runtime.
 */
export async function protectedPaths(
  dataDir: string,
  home: string,
  env: NodeJS.ProcessEnv,
  runtimeSocket: string | null,
): Promise<string[]> {
  const candidates = [
    dataDir,
    runtimeSocket,
    '/var/run/docker.sock',
    '/run/docker.sock',
    '/run/podman/podman.sock',
    join(home, '.docker/run/docker.sock'),
    join(home, '.docker/desktop/docker.sock'),
    join(home, '.colima/default/docker.sock'),
    join(home, '.orbstack/run/docker.sock'),
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman/podman.sock') : null,
  ];
  const out = new Set<string>();
  for (const candidate of candidates) {
    if (!candidate) continue;
    out.add(candidate);
    const real = await realPathOrNull(candidate).catch(() => null);
    if (real) out.add(real);
  }
  return [...out];
}
