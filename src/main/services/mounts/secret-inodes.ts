import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

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

/** `dev:ino` of a file → where it lives (`~/.ssh/id_rsa`). */
export type SecretInodes = Map<string, string>;

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
  for (const location of HOME_SECRET_LOCATIONS)
    await collect(join(home, location), `~/${location}`, found, 4);
  for (const path of protectedPaths) await collect(path, path, found, 1);
  return found;
}

async function collect(
  path: string,
  label: string,
  found: SecretInodes,
  depth: number,
): Promise<void> {
  let budget = MAX_FILES_PER_LOCATION;
  const walk = async (p: string, shown: string, left: number): Promise<void> => {
    if (budget <= 0) return;
    const info = await lstat(p).catch(() => null);
    if (!info) return;
    if (info.isFile()) {
      budget--;
      found.set(inodeKey(info.dev, info.ino), shown);
      return;
    }
    if (!info.isDirectory() || left <= 0) return;
    const names = await readdir(p).catch(() => [] as string[]);
    for (const name of names) await walk(join(p, name), `${shown}/${name}`, left - 1);
  };
  await walk(path, label, depth);
}
