import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { MaskedEntry } from '../../../shared/schemas/mounts';
import { folderLister, SYNC_LISTING_ENTRIES, walk, type Folder } from './folder-listing';
import { hasGitCredentials } from './git-credentials';
import { hardLinkCheck } from './hard-link-check';
import { isInside } from './path-utils';
import { entryMatcherFor, normaliseName } from './patterns';
import type { SecretInodes } from './secret-inodes';

export interface MaskScanOptions {
  patterns: readonly string[];
  /** Absolute real paths agents may never see (the data folder), masked at any depth. */
  protectedPaths: readonly string[];
  /** Files in the user's secret locations: a hard link to one is masked. */
  secretInodes?: SecretInodes;
  /** Leave `.git/config` files with a token in a remote URL visible (the user said so). */
  exposeGitCredentials?: boolean;
  /** At most this many entries are listed; a larger tree is `incomplete`. */
  maxEntries?: number;
  timeBudgetMs?: number;
  /** Folders listed at once (each listing runs on libuv's thread pool). */
  concurrency?: number;
  /**
   * Files identified one by one before a scan checks whether it may stop identifying them
   * (see `secretsOutOfReach`); a small folder is cheaper to identify than to check. Tests set 0.
   */
  identifyEachUpTo?: number;
  /** Entries of small folders listed synchronously before the rest go to the thread pool. */
  syncListingEntries?: number;
}

export interface MaskScanResult {
  /** Sorted by path, whatever order the folders were listed in. */
  masked: MaskedEntry[];
  /** The scan hit its entry or time bound: what lies below the rest is unknown. */
  incomplete: boolean;
  /** Relative paths the scan could not list or stat: unknown to us, maybe not to the agent. */
  unreadable: string[];
  /** `.git/config` files whose remote URL (or extra header) carries a credential. */
  gitCredentials: string[];
  /**
   * Folders holding a name that is not valid UTF-8: Node reads it with U+FFFD in place of the
   * bad bytes, so no mask can name it exactly — a mask would cover a path that does not exist
   * and leave the real entry visible. (An agent with a read-write mount can make one.)
   */
  undecodable: string[];
}

/**
 * Far more than a large repository with its dependencies (a few hundred thousand entries):
 * the bound only stops a scan of something like a whole disk, which the time budget would
 * stop anyway.
 */
export const DEFAULT_MAX_ENTRIES = 2_000_000;
export const DEFAULT_TIME_BUDGET_MS = 5000;
/**
 * Listings in flight. libuv runs four at a time on its thread pool while this thread matches
 * names and stats files; more only queue.
 */
export const DEFAULT_CONCURRENCY = 4;

/**
 * lstat runs synchronously (four times faster than the async calls, which queue on libuv's four
 * threads, and overlapping the listings in flight there), yielding to the event loop after
 * each batch so the API and the proxy stay responsive during a large scan.
 */
const STAT_BATCH = 1000;
const MAX_REPORTED = 20;

/**
 * Walks the whole tree below an allowed folder and lists what must stay hidden, at any depth:
 * entries matching a blocked pattern, every socket, FIFO and device node (whatever its name: an
 * ssh-agent socket, a hard link to the engine's socket), hard links to the user's secret files,
 * `.git/config` files with a token, and protected paths. Several folders are listed at once.
 * Bounded in entries and time so a huge folder cannot stall a container start: `incomplete`
 * says it stopped early, and the caller then refuses the mount rather than mount a partly
 * scanned folder.
 */
export async function scanForMasks(
  givenRoot: string,
  options: MaskScanOptions,
): Promise<MaskScanResult> {
  const root = resolve(givenRoot);
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const deadline = Date.now() + (options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const result: MaskScanResult = {
    masked: [],
    incomplete: false,
    unreadable: [],
    undecodable: [],
    gitCredentials: [],
  };
  const mask = (rel: string, kind: MaskedEntry['kind'], pattern: string): void => {
    result.masked.push({ path: rel.split('/').join(sep), kind, pattern });
  };
  const protectedInside = protectedEntriesInside(root, options.protectedPaths);
  for (const p of protectedInside) result.masked.push(p);
  // The walk starts at the root's real path and never follows a link, so it reaches an entry
  // inside a protected path only through the protected path itself: that one is skipped.
  const skip = new Set(protectedInside.map((p) => join(root, p.path)));
  const matcher = entryMatcherFor(options.patterns);
  const secrets = options.secretInodes?.size ? options.secretInodes : null;
  const identifyEachUpTo = options.identifyEachUpTo ?? STAT_BATCH;
  const gitReads: Promise<void>[] = [];
  let seen = 0;
  let sinceYield = 0;

  const stop = (): void => {
    result.incomplete = true;
  };
  const overBudget = (): boolean => {
    if (!result.incomplete && Date.now() > deadline) stop();
    return result.incomplete;
  };

  const hardLinks = hardLinkCheck(secrets, root, identifyEachUpTo);

  /** Checks one file; false when it could not be looked at. */
  const checkFile = (
    folder: Folder,
    name: string,
    full: string,
    rel: string,
    probe: boolean,
  ): boolean => {
    const identify = hardLinks.identifyNow();
    if (identify || probe) {
      let info: Stats;
      try {
        info = lstatSync(full);
      } catch {
        unreadable(result, rel);
        return false;
      }
      if (identify) {
        const secret = hardLinks.secretOf(info);
        if (secret) {
          mask(rel, 'file', `hard link to ${secret}`);
          return true;
        }
      }
    }
    if (name === 'config' && folder.inGit)
      gitReads.push(
        fileHasGitCredentials(full).then((found) => {
          if (!found) return;
          result.gitCredentials.push(rel);
          if (!options.exposeGitCredentials) mask(rel, 'file', 'git credentials');
        }),
      );
    return true;
  };

  const list = folderLister(root, options.syncListingEntries ?? SYNC_LISTING_ENTRIES);

  /** Lists one folder, queues its subfolders, and checks its files. */
  const visit = async (folder: Folder, queue: Folder[]): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await list(folder.path);
    } catch {
      unreadable(result, folder.rel || '.');
      return;
    }
    if (result.incomplete) return;
    if (
      entries.some((entry) => entry.name.includes(REPLACEMENT)) &&
      hasUndecodableName(folder.path)
    ) {
      if (result.undecodable.length < MAX_REPORTED) result.undecodable.push(folder.rel || '.');
      return; // the mount is refused: what lies below does not matter
    }
    seen += entries.length;
    if (seen > maxEntries) return stop();
    let lookedAt = false;
    for (const entry of entries) {
      // Symlinks are left alone: inside the container they resolve against what is mounted,
      // so one that points outside dangles, and one that points inside reaches a checked entry.
      if (entry.isSymbolicLink()) continue;
      const name = entry.name;
      const full = folder.path === sep ? `${sep}${name}` : `${folder.path}${sep}${name}`;
      if (skip.size && skip.has(full)) continue;
      const rel = folder.rel ? `${folder.rel}/${name}` : name;
      const special = specialKind(entry);
      if (special) {
        mask(rel, 'file', special);
        continue;
      }
      const normalised = normaliseName(name);
      const pattern = matcher(folder.names, normalised);
      if (pattern) {
        mask(rel, entry.isDirectory() ? 'directory' : 'file', pattern);
      } else if (entry.isDirectory()) {
        queue.push({
          path: full,
          rel,
          names: [...folder.names, normalised],
          inGit: folder.inGit || isGitFolderName(name),
        });
      } else {
        if (checkFile(folder, name, full, rel, !lookedAt)) lookedAt = true;
        if (++sinceYield >= STAT_BATCH) {
          sinceYield = 0;
          await yieldToEventLoop();
          if (overBudget()) return;
        }
      }
    }
  };

  const rootFolder: Folder = {
    path: root,
    rel: '',
    names: root.split(sep).filter(Boolean).map(normaliseName),
    inGit: isGitFolderName(basename(root)),
  };
  await walk(rootFolder, concurrency, visit, overBudget);
  await Promise.all(gitReads);
  result.masked.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  result.gitCredentials.sort();
  return result;
}

function specialKind(entry: Dirent): string | null {
  if (entry.isSocket()) return 'socket';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'device';
  return null;
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

/** `.git`, and a bare repository's folder (`project.git`): its `config` can hold a token. */
const isGitFolderName = (name: string): boolean => name === '.git' || name.endsWith('.git');

const REPLACEMENT = '\uFFFD';

/** Whether a folder holds a name whose bytes do not survive decoding as UTF-8 (or cannot say). */
function hasUndecodableName(path: string): boolean {
  try {
    return readdirSync(path, { encoding: 'buffer' }).some(
      (raw) => !Buffer.from(raw.toString('utf8'), 'utf8').equals(raw),
    );
  } catch {
    return true;
  }
}

function unreadable(result: MaskScanResult, rel: string): void {
  if (result.unreadable.length < MAX_REPORTED) result.unreadable.push(rel);
}

/** Protected paths that exist inside the root, as masked entries (paths relative to it). */
function protectedEntriesInside(root: string, protectedPaths: readonly string[]): MaskedEntry[] {
  const out: MaskedEntry[] = [];
  for (const given of protectedPaths) {
    const p = resolve(given);
    if (p === root || !isInside(p, root)) continue;
    let isDir: boolean | null;
    try {
      isDir = statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? null;
    } catch {
      isDir = null;
    }
    if (isDir !== null)
      out.push({
        path: relative(root, p),
        kind: isDir ? 'directory' : 'file',
        pattern: 'protected',
      });
  }
  return out;
}
