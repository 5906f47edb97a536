import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, parse, relative, sep } from 'node:path';

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** Component-wise containment: `/a/proj` contains `/a/proj/x` but not `/a/project-secrets`. */
export function isInside(child: string, parent: string, caseInsensitive = false): boolean {
  const c = caseInsensitive ? child.toLowerCase() : child;
  const p = caseInsensitive ? parent.toLowerCase() : parent;
  if (sep === '/' && isResolvedPosix(c) && isResolvedPosix(p)) {
    // What `relative` below answers, without resolving paths that are resolved already.
    if (c === p) return true;
    if (p !== '/' && !(c.startsWith(p) && c.charCodeAt(p.length) === SLASH)) return false;
    const next = p === '/' ? 1 : p.length + 1;
    return !(c.charCodeAt(next) === DOT && c.charCodeAt(next + 1) === DOT);
  }
  const rel = relative(p, c);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const SLASH = 47;
const DOT = 46;

/** An absolute POSIX path as `resolve` leaves it: no empty, `.` or `..` names, no trailing `/`. */
function isResolvedPosix(p: string): boolean {
  if (p.charCodeAt(0) !== SLASH) return false;
  if (p.length === 1) return true;
  return (
    p.charCodeAt(p.length - 1) !== SLASH &&
    !p.includes('//') &&
    !p.includes('/./') &&
    !p.includes('/../') &&
    !p.endsWith('/.') &&
    !p.endsWith('/..')
  );
}

/** The real path, or null when it does not exist. Other errors (permissions, loops) throw. */
export async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    return nullIfMissing(error);
  }
}

/** A path that is not there answers null; any other failure (permissions, loops) is thrown. */
function nullIfMissing(error: unknown): null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return null;
  throw error;
}

/**
 * `realPathOrNull` without the round trip through libuv's thread pool, which costs several
 * times the call itself: for the request path of a validation, whose files the mask scan
 * looks at synchronously anyway.
 */
export function realPathOrNullSync(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch (error) {
    return nullIfMissing(error);
  }
}

/** `/`, the home folder, or any folder containing the home folder. */
export function isBroadRoot(realRoot: string, realHome: string, caseInsensitive = false): boolean {
  return realRoot === parse(realRoot).root || isInside(realHome, realRoot, caseInsensitive);
}
