import { lstatSync, readdirSync, statfsSync, statSync, type Dirent, type Stats } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { MaskedEntry } from '../../../shared/schemas/mounts';
import { hasGitCredentials } from './git-credentials';
import { isInside } from './path-utils';
import { entryMatcherFor, normaliseName } from './patterns';
import { readMountTable } from './mount-table';
import { inodeKey, secretsOutOfReach, type SecretInodes } from './secret-inodes';

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

/** Entries of small folders a scan lists synchronously before it uses the thread pool. */
const SYNC_LISTING_ENTRIES = 256;
/**
 * A folder this size or smaller is listed synchronously, on the file systems below: ext4 and
 * F2FS grow a folder by 4 KiB blocks, XFS and tmpfs by a dozen or twenty bytes an entry, so
 * that is a few hundred entries; btrfs counts two bytes a name character and ZFS one an entry,
 * some thousands at worst. Never a huge folder.
 */
const SMALL_FOLDER_BYTES = 8192;
/** statfs magic numbers of local file systems whose folder size grows with its entries. */
const SIZE_COUNTS_ENTRIES = new Set([
  0xef53, // ext2, ext3, ext4
  0x58465342, // XFS
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0xf2f52010, // F2FS
  0x2fc12fc1, // ZFS
]);

/** Is `root` on a file system whose folder sizes bound their entries (Linux)? */
function sizesCountEntries(root: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return SIZE_COUNTS_ENTRIES.has(statfsSync(root).type);
  } catch {
    return false;
  }
}

interface Folder {
  path: string;
  /** Relative to the root, `/`-separated; '' for the root. */
  rel: string;
  /** The normalised names from the file system root down to this folder, for the patterns. */
  names: readonly string[];
  /** Some folder between the root and here (or this one) is named `.git`. */
  inGit: boolean;
}

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

  // Each file is lstat-ed for its identity while a hard link to a secret could be among them.
  // Once a large scan knows none can be (every secret has one name, out of the walk's reach),
  // one lstat per folder is enough: it shows the folder lets its files be looked at (one that
  // is readable but not searchable lists names it cannot stat), which holds for all its files.
  let identify = secrets !== null;
  let decided = !identify;
  let identified = 0;
  const decide = (): void => {
    decided = true;
    if (secrets && secretsOutOfReach(secrets, root, readMountTable())) identify = false;
  };

  /** Checks one file; false when it could not be looked at. */
  const checkFile = (
    folder: Folder,
    name: string,
    full: string,
    rel: string,
    probe: boolean,
  ): boolean => {
    if (!decided && identified >= identifyEachUpTo) decide();
    if (identify || probe) {
      let info: Stats;
      try {
        info = lstatSync(full);
      } catch {
        unreadable(result, rel);
        return false;
      }
      if (identify) {
        identified++;
        const secret = secrets?.get(inodeKey(info.dev, info.ino));
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

  // Small folders are listed synchronously while the scan is young: most validations are done
  // before a listing's round trip through the thread pool would have been. Only where the
  // folder's size bounds its entries (see SMALL_FOLDER_BYTES) — never a huge folder.
  let syncLeft = options.syncListingEntries ?? SYNC_LISTING_ENTRIES;
  // The device of the root when its folder sizes count entries: known at the first listing.
  let sizedDevice: number | null | undefined;
  const list = (path: string): Dirent[] | Promise<Dirent[]> => {
    if (syncLeft > 0 && sizedDevice !== null) {
      let info: Stats | undefined;
      try {
        info = statSync(path, { throwIfNoEntry: false });
      } catch {
        info = undefined; // the listing below reports it
      }
      sizedDevice ??= info && sizesCountEntries(root) ? info.dev : null;
      if (info?.dev === sizedDevice && info.size <= SMALL_FOLDER_BYTES) {
        const entries = readdirSync(path, { withFileTypes: true });
        syncLeft -= entries.length;
        return entries;
      }
    }
    return readdir(path, { withFileTypes: true });
  };

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
          inGit: folder.inGit || name === '.git',
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
    inGit: false,
  };
  await walk(rootFolder, concurrency, visit, overBudget);
  await Promise.all(gitReads);
  result.masked.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  result.gitCredentials.sort();
  return result;
}

/**
 * Runs `visit` over every folder, at most `concurrency` at once, until the queue is empty or
 * `stopped` says so. Depth first (the queue is a stack), so the folders waiting stay few.
 */
function walk(
  root: Folder,
  concurrency: number,
  visit: (folder: Folder, queue: Folder[]) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  const queue: Folder[] = [root];
  let running = 0;
  return new Promise<void>((resolveWalk, rejectWalk) => {
    const next = (): void => {
      while (running < concurrency && queue.length > 0 && !stopped()) {
        running++;
        visit(queue.pop() as Folder, queue).then(done, (error: unknown) => rejectWalk(error));
      }
      if (running === 0) resolveWalk();
    };
    const done = (): void => {
      running--;
      next();
    };
    next();
  });
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
