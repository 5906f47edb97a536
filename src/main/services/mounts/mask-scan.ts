import { lstatSync, type Dirent, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { join, relative, sep } from 'node:path';
import type { MaskedEntry } from '../../../shared/schemas/mounts';
import { hasGitCredentials } from './git-credentials';
import { isInside } from './path-utils';
import { compilePatterns, normaliseName } from './patterns';
import { inodeKey, type SecretInodes } from './secret-inodes';

export interface MaskScanOptions {
  patterns: readonly string[];
  /** Absolute real paths agents may never see (the data folder), masked at any depth. */
  protectedPaths: readonly string[];
  /** Files in the user's secret locations: a hard link to one is masked. */
  secretInodes?: SecretInodes;
  /** Leave `.git/config` files with a token in a remote URL visible (the user said so). */
  exposeGitCredentials?: boolean;
  maxEntries?: number;
  timeBudgetMs?: number;
}

export interface MaskScanResult {
  masked: MaskedEntry[];
  /** The scan hit its entry or time bound: what lies below the rest is unknown. */
  incomplete: boolean;
  /** Relative paths the scan could not list or stat: unknown to us, maybe not to the agent. */
  unreadable: string[];
  /** `.git/config` files whose remote URL (or extra header) carries a credential. */
  gitCredentials: string[];
}

/**
 * lstat runs synchronously in batches (four times faster than the async calls, which queue on
 * libuv's four threads), yielding to the event loop between batches so the API and the proxy
 * stay responsive during a large scan.
 */
const STAT_BATCH = 1000;
const MAX_REPORTED = 20;

/**
 * Walks the whole tree below an allowed folder and lists what must stay hidden, at any depth:
 * entries matching a blocked pattern, every socket, FIFO and device node (whatever its name: an
 * ssh-agent socket, a hard link to the engine's socket), hard links to the user's secret files,
 * `.git/config` files with a token, and protected paths. Bounded in entries and time so a huge
 * folder cannot stall a container start: `incomplete` says it stopped early, and the caller
 * then refuses the mount rather than mount a partly scanned folder.
 */
export async function scanForMasks(
  root: string,
  options: MaskScanOptions,
): Promise<MaskScanResult> {
  const maxEntries = options.maxEntries ?? 100_000;
  const deadline = Date.now() + (options.timeBudgetMs ?? 5000);
  const result: MaskScanResult = {
    masked: [],
    incomplete: false,
    unreadable: [],
    gitCredentials: [],
  };
  const mask = (full: string, kind: MaskedEntry['kind'], pattern: string): void => {
    result.masked.push({ path: relative(root, full), kind, pattern });
  };
  const protectedInside = await protectedEntriesInside(root, options.protectedPaths);
  for (const p of protectedInside) mask(p.path, p.kind, 'protected');
  const rootComponents = root.split(sep).filter(Boolean).map(normaliseName);
  const blockedBy = compilePatterns(options.patterns);

  let seen = 0;
  let sinceYield = 0;
  // Each folder to visit, with its path as found and as normalised for pattern matching.
  const stack: { rel: string[]; names: string[] }[] = [{ rel: [], names: rootComponents }];
  while (stack.length > 0) {
    if (Date.now() > deadline || seen > maxEntries) {
      result.incomplete = true;
      break;
    }
    const { rel, names } = stack.pop() as { rel: string[]; names: string[] };
    const dir = join(root, ...rel);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      unreadable(result, rel.join('/') || '.');
      continue;
    }
    seen += entries.length;
    const files: { full: string; rel: string[] }[] = [];
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const relPath = [...rel, entry.name];
      if (protectedInside.length && protectedInside.some((p) => isInside(full, p.path))) continue;
      // Symlinks are left alone: inside the container they resolve against what is mounted,
      // so one that points outside dangles, and one that points inside reaches a checked entry.
      if (entry.isSymbolicLink()) continue;
      const special = specialKind(entry);
      if (special) {
        mask(full, 'file', special);
        continue;
      }
      const components = [...names, normaliseName(entry.name)];
      const pattern = blockedBy(components);
      if (pattern) mask(full, entry.isDirectory() ? 'directory' : 'file', pattern);
      else if (entry.isDirectory()) stack.push({ rel: relPath, names: components });
      else files.push({ full, rel: relPath });
    }
    for (const file of files) {
      const pending = checkFile(file, options, result, mask);
      if (pending) await pending;
      if (++sinceYield >= STAT_BATCH) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }
  return result;
}

/** Synchronous for the common file; a promise only when a git config must be read. */
function checkFile(
  file: { full: string; rel: string[] },
  options: MaskScanOptions,
  result: MaskScanResult,
  mask: (full: string, kind: MaskedEntry['kind'], pattern: string) => void,
): Promise<void> | null {
  let info: Stats;
  try {
    info = lstatSync(file.full);
  } catch {
    unreadable(result, file.rel.join('/'));
    return null;
  }
  const secret = options.secretInodes?.get(inodeKey(info.dev, info.ino));
  if (secret) {
    mask(file.full, 'file', `hard link to ${secret}`);
    return null;
  }
  if (!isGitConfig(file.rel)) return null;
  return fileHasGitCredentials(file.full).then((found) => {
    if (!found) return;
    result.gitCredentials.push(file.rel.join('/'));
    if (!options.exposeGitCredentials) mask(file.full, 'file', 'git credentials');
  });
}

function specialKind(entry: Dirent): string | null {
  if (entry.isSocket()) return 'socket';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'device';
  return null;
}

/** `.git/config`, and the configs of submodules and worktrees below `.git`. */
function isGitConfig(rel: readonly string[]): boolean {
  return rel[rel.length - 1] === 'config' && rel.slice(0, -1).includes('.git');
}

/** Reads at most 256 KiB; a config that cannot be read is treated as holding a credential. */
async function fileHasGitCredentials(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(256 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return hasGitCredentials(buffer.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    return true;
  }
}

function unreadable(result: MaskScanResult, rel: string): void {
  if (result.unreadable.length < MAX_REPORTED) result.unreadable.push(rel);
}

async function protectedEntriesInside(
  root: string,
  protectedPaths: readonly string[],
): Promise<{ path: string; kind: MaskedEntry['kind'] }[]> {
  const out: { path: string; kind: MaskedEntry['kind'] }[] = [];
  for (const p of protectedPaths) {
    if (p === root || !isInside(p, root)) continue;
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => null,
    );
    if (isDir !== null) out.push({ path: p, kind: isDir ? 'directory' : 'file' });
  }
  return out;
}
