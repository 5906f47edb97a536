import { readdirSync, statfsSync, statSync, type Dirent, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';

/** Entries of small folders a scan lists synchronously before it uses the thread pool. */
export const SYNC_LISTING_ENTRIES = 256;
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

export interface Folder {
  path: string;
  /** Relative to the root, `/`-separated; '' for the root. */
  rel: string;
  /** The normalised names from the file system root down to this folder, for the patterns. */
  names: readonly string[];
  /** Some folder between the root and here (or this one) is named `.git`. */
  inGit: boolean;
}

/**
 * Lists the folders of one scan below `root`. Small folders are listed synchronously while the
 * scan is young: most validations are done before a listing's round trip through the thread
 * pool would have been. Only where the folder's size bounds its entries (see
 * SMALL_FOLDER_BYTES) — never a huge folder.
 */
export function folderLister(
  root: string,
  syncListingEntries: number,
): (path: string) => Dirent[] | Promise<Dirent[]> {
  let syncLeft = syncListingEntries;
  // The device of the root when its folder sizes count entries: known at the first listing.
  let sizedDevice: number | null | undefined;
  return (path) => {
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
}

/**
 * Runs `visit` over every folder, at most `concurrency` at once, until the queue is empty or
 * `stopped` says so. Depth first (the queue is a stack), so the folders waiting stay few.
 */
export function walk(
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
