import type { MountPolicy } from '../../../shared/schemas/mounts';
import { expandHome, isInside, realPathOrNullSync } from './path-utils';
import { systemPathConflict } from './system-paths';

export type RootMatch = MountPolicy['allowedRoots'][number] & { real: string };

/** What `findRoot` needs of a validation's context. */
export interface RootContext {
  policy: Readonly<MountPolicy>;
  home: string;
  caseInsensitive: boolean;
}

/** `systemPathConflict` of each root, remembered: the same few roots come up on every check. */
const systemRoots = new Map<string, boolean>();
function rootInSystemFolder(path: string, real: string): boolean {
  const key = `${path}\0${real}`;
  let found = systemRoots.get(key);
  if (found === undefined) {
    if (systemRoots.size >= 1000) systemRoots.clear();
    found = systemPathConflict([path, real]) !== null;
    systemRoots.set(key, found);
  }
  return found;
}

/**
 * The most specific root that admits `real`. A root whose real path is no longer the one the
 * user confirmed (a symlinked root repointed), or that is a system folder, admits nothing.
 */
export function findRoot(
  real: string,
  ctx: RootContext,
): { root: RootMatch | null; changed: { path: string; was: string; now: string } | null } {
  let best: RootMatch | null = null;
  let changed: { path: string; was: string; now: string } | null = null;
  for (const root of ctx.policy.allowedRoots) {
    let rootReal: string | null;
    try {
      rootReal = realPathOrNullSync(expandHome(root.path, ctx.home));
    } catch {
      continue;
    }
    if (!rootReal || !isInside(real, rootReal, ctx.caseInsensitive)) continue;
    if (root.confirmedRealPath && root.confirmedRealPath !== rootReal) {
      changed ??= { path: root.path, was: root.confirmedRealPath, now: rootReal };
      continue;
    }
    if (rootInSystemFolder(root.path, rootReal)) continue;
    if (!best || rootReal.length > best.real.length) best = { ...root, real: rootReal };
  }
  return { root: best, changed };
}
