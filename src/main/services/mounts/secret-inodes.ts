import { lstatSync } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { filesReachableBelow, type MountEntry } from './mount-table';

/**
 * Where users keep secrets at home: every built-in pattern's usual place. A hard link inside an
 * allowed folder to any file here is the same file under an innocent name, so it is masked.
 */
export const HOME_SECRET_LOCATIONS = [
  '.ssh',
  '.gnupg',
  '.gpg',
  '.aws',
  '.azure',
  '.gcloud',
  '.config/gcloud',
  '.kube',
  '.docker',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.pgpass',
  '.config/gh',
  '.terraformrc',
  '.terraform.d',
  '.vault-token',
  '.password-store',
  '.env',
  '.envrc',
] as const;

/** A secret file as collected: its real path and identity. */
export interface SecretFile {
  /** Null when the real path could not be resolved. */
  path: string | null;
  dev: number;
  ino: number;
}

/**
 * `dev:ino` of a file → where it lives (`~/.ssh/id_rsa`). `files`, when known, lists them by
 * real path, so a scan can tell whether any of them has another name it could come across.
 */
export type SecretInodes = Map<string, string> & { files?: readonly SecretFile[] };

export const inodeKey = (dev: number, ino: number): string => `${dev}:${ino}`;

/** Files per location at most: a huge ~/.docker must not stall every validation. */
const MAX_FILES_PER_LOCATION = 2000;

/**
 * Collects the identity of every regular file in the user's secret locations and aigo's own
 * protected folders (one level of the data folder: its key and token files).
 */
export async function collectSecretInodes(
  home: string,
  protectedPaths: readonly string[],
): Promise<SecretInodes> {
  const found: SecretInodes = new Map();
  const files: SecretFile[] = [];
  for (const location of HOME_SECRET_LOCATIONS)
    await collect(join(home, location), `~/${location}`, found, files, 4);
  for (const path of protectedPaths) await collect(path, path, found, files, 1);
  found.files = files;
  return found;
}

async function collect(
  path: string,
  label: string,
  found: SecretInodes,
  files: SecretFile[],
  depth: number,
): Promise<void> {
  let budget = MAX_FILES_PER_LOCATION;
  // The walk never follows a link, so below the location's real path every name is real.
  const walk = async (
    p: string,
    real: string | null,
    shown: string,
    left: number,
  ): Promise<void> => {
    if (budget <= 0) return;
    const info = await lstat(p).catch(() => null);
    if (!info) return;
    if (info.isFile()) {
      budget--;
      found.set(inodeKey(info.dev, info.ino), shown);
      files.push({ path: real, dev: info.dev, ino: info.ino });
      return;
    }
    if (!info.isDirectory() || left <= 0) return;
    const names = await readdir(p).catch(() => [] as string[]);
    for (const name of names)
      await walk(join(p, name), real && join(real, name), `${shown}/${name}`, left - 1);
  };
  // A location that is itself a link (~/.ssh → a dotfiles folder) is collected where it points;
  // below that, the walk follows no link.
  const real = await realpath(path).catch(() => null);
  if (real) return walk(real, real, label, depth);
  const realParent = await realpath(dirname(path)).catch(() => null);
  await walk(path, realParent && join(realParent, basename(path)), label, depth);
}

/**
 * Can a walk below `root` skip identifying each file (an lstat apiece) and still find every
 * hard link to a secret? Yes when every secret file still has one name (no hard link to it
 * exists anywhere) and no view the walk goes through shows the folders they are in — so the
 * walk cannot come across them under any name. Checked afresh at each call: the link counts
 * by lstat, the views from the mount table; anything unknown answers no.
 */
export function secretsOutOfReach(
  secrets: SecretInodes,
  root: string,
  table: readonly MountEntry[] | null,
): boolean {
  if (!secrets.files || !table) return false;
  for (const file of secrets.files) {
    if (!file.path) return false;
    let info;
    try {
      info = lstatSync(file.path, { throwIfNoEntry: false });
    } catch {
      return false;
    }
    if (!info || info.nlink !== 1 || info.dev !== file.dev || info.ino !== file.ino) return false;
  }
  return !filesReachableBelow(
    table,
    root,
    secrets.files.map((f) => f.path as string),
  );
}
