import type { Diagnostic } from '../../../shared/schemas/diagnostics';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';

/** The uid agents run as inside their containers (container-spec.ts: User 1000:1000). */
export const AGENT_UID = 1000;

/**
 * The uid on this computer that a container's `uid` becomes under a rootless engine: uid 0 is
 * the user themself, uids from 1 on are the user's subordinate range (`/etc/subuid`:
 * `name-or-uid:start:count`), so uid n is start + n - 1. Null when no range covers it.
 */
export function hostUidOf(
  subuid: string,
  user: { name: string; uid: number },
  uid = AGENT_UID,
): number | null {
  if (uid === 0) return user.uid;
  for (const line of subuid.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner !== user.name && owner !== String(user.uid)) continue;
    const first = Number(start);
    const size = Number(count);
    if (Number.isInteger(first) && Number.isInteger(size) && uid - 1 < size) return first + uid - 1;
  }
  return null;
}

/**
 * What a rootless engine means for folders agents may write to: files they create there belong
 * to a uid of the user's subordinate range, not to the user, and how to take them back.
 */
export function rootlessUidNote(hostUid: number | null, product: string): string {
  const who =
    hostUid === null
      ? 'a uid of your subordinate range (/etc/subuid), not to you'
      : `uid ${hostUid} on this computer (your subordinate range in /etc/subuid), not to you`;
  return `${product} runs rootless: the agent's uid ${AGENT_UID} inside its container is ${who} — so files an agent creates in a read-write folder belong to that uid. Take them back with \`podman unshare chown -R 0:0 <folder>\` (inside Podman's user namespace, 0 is you), or let your user read them with \`podman unshare chmod -R a+rwX <folder>\`.`;
}

/** Health's note for a rootless engine (null for any other): what a uid becomes, and the fix. */
export async function rootlessDiagnostic(
  runtime: Pick<RuntimeStatus, 'available' | 'rootless' | 'product'>,
  readSubuid: () => Promise<string>,
  user: { name: string; uid: number },
): Promise<Diagnostic | null> {
  if (!runtime.available || !runtime.rootless) return null;
  const hostUid = hostUidOf(await readSubuid().catch(() => ''), user);
  return {
    id: 'runtime-rootless-uids',
    area: 'runtime',
    status: 'info',
    title: `${runtime.product ?? 'The engine'} runs rootless: agents' files belong to ${hostUid === null ? 'a mapped uid' : `uid ${hostUid}`}`,
    detail: rootlessUidNote(hostUid, runtime.product ?? 'The engine'),
    fix: [],
    route: 'container/runtime',
  };
}
