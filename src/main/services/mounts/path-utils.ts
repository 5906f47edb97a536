import { realpath } from 'node:fs/promises';
import { isAbsolute, join, parse, relative } from 'node:path';

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** Component-wise containment: `/a/proj` contains `/a/proj/x` but not `/a/project-secrets`. */
export function isInside(child: string, parent: string, caseInsensitive = false): boolean {
  const c = caseInsensitive ? child.toLowerCase() : child;
  const p = caseInsensitive ? parent.toLowerCase() : parent;
  const rel = relative(p, c);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path, or null when it does not exist. Other errors (permissions, loops) throw. */
export async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return null;
    throw error;
  }
}

/** `/`, the home folder, or any folder containing the home folder. */
export function isBroadRoot(realRoot: string, realHome: string, caseInsensitive = false): boolean {
  return realRoot === parse(realRoot).root || isInside(realHome, realRoot, caseInsensitive);
}
