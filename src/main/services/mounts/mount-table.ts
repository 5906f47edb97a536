import { readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isInside } from './path-utils';

/** One line of /proc/self/mountinfo: a view of part of a file system at a place. */
export interface MountEntry {
  /** `major:minor` of the file system (the same for every view of it). */
  device: string;
  /** The folder of that file system shown here (`/` unless a bind mount shows a subfolder). */
  root: string;
  /** Where it is shown. */
  point: string;
  /** `ext4`, `overlay`, `fuse.bindfs`, … */
  type: string;
}

/**
 * File systems whose files are their own: an inode is seen only through views of the one file
 * system. A union or pass-through file system (overlay, FUSE, NFS re-exports) can show another
 * file system's files with their identities, so views of it count as reaching everything.
 */
// bcachefs is left out: its snapshots have been reported to show the original's device and
// inode numbers, so a snapshot of a key would be a second name no link count shows.
const PLAIN_FILE_SYSTEMS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'zfs',
  'f2fs',
  'jfs',
  'reiserfs',
  'tmpfs',
]);

/** `\040` and friends: how mountinfo writes spaces, tabs, newlines and backslashes in paths. */
const unescape = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (fields.length < 5 || dash < 0) continue;
    out.push({
      device: fields[2] as string,
      root: unescape(fields[3] as string),
      point: unescape(fields[4] as string),
      type: fields[dash + 1] ?? '',
    });
  }
  return out;
}

/** This process's mount table, or null where there is none to read (macOS, Windows). */
export function readMountTable(): MountEntry[] | null {
  if (process.platform !== 'linux') return null;
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** `major:minor` of the device a path is on, as mountinfo writes it; null when it cannot say. */
export type DeviceOf = (path: string) => string | null;

/** Linux's dev_t split as glibc's major() and minor() do. */
export const realDeviceOf: DeviceOf = (path) => {
  const dev = statSync(path, { bigint: true, throwIfNoEntry: false })?.dev;
  if (dev === undefined) return null;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
};

/**
 * The view `path` is seen through: the deepest mount point above it (the last one mounted) —
 * checked against the device the path is really on, since a mount covered by a later one over
 * a folder above it stays in the table though nothing shows it any more. Null (unknown) when
 * the two disagree.
 */
function containing(
  table: readonly MountEntry[],
  path: string,
  deviceOf: DeviceOf,
): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of table)
    if (isInside(path, m.point) && (!best || m.point.length >= best.point.length)) best = m;
  const device = best ? deviceOf(path) : null;
  return device !== null && device !== best?.device ? null : best;
}

/** Where `path` lies inside its file system. */
function insideFileSystem(m: MountEntry, path: string): string {
  const rest = relative(m.point, path);
  return rest ? join(m.root, ...rest.split(sep)) : m.root;
}

/**
 * Can a walk below `root` (which never follows a link) reach any of `files` — each a real path
 * — under another name or the same one? A file with a single name is reached only through the
 * one folder of its file system that holds it, so the walk reaches it only if a view it walks
 * through shows that folder: the view of `root` itself, or a mount inside `root` (a bind
 * mount of the home folder, the same disk mounted twice). Unknown mounts count as reachable.
 */
export function filesReachableBelow(
  table: readonly MountEntry[],
  root: string,
  files: readonly string[],
  deviceOf: DeviceOf = realDeviceOf,
): boolean {
  const rootView = containing(table, root, deviceOf);
  if (!rootView || !PLAIN_FILE_SYSTEMS.has(rootView.type)) return true;
  const views = [{ device: rootView.device, folder: insideFileSystem(rootView, root) }];
  for (const m of table) {
    if (m.point === root || !isInside(m.point, root)) continue;
    if (!PLAIN_FILE_SYSTEMS.has(m.type)) return true;
    views.push({ device: m.device, folder: m.root });
  }
  for (const file of files) {
    const view = containing(table, file, deviceOf);
    if (!view || !PLAIN_FILE_SYSTEMS.has(view.type)) return true;
    const at = insideFileSystem(view, file);
    if (views.some((v) => v.device === view.device && isInside(at, v.folder))) return true;
  }
  return false;
}
