import type { Stats } from 'node:fs';
import { readMountTable } from './mount-table';
import { inodeKey, secretsOutOfReach, type SecretInodes } from './secret-inodes';

export interface HardLinkCheck {
  /** Must the next file be lstat-ed for its identity? */
  identifyNow(): boolean;
  /** The secret file `info` is a hard link to, if any (counts the file as identified). */
  secretOf(info: Stats): string | undefined;
}

/**
 * Each file is lstat-ed for its identity while a hard link to a secret could be among them.
 * Once a large scan knows none can be (every secret has one name, out of the walk's reach),
 * one lstat per folder is enough: it shows the folder lets its files be looked at (one that
 * is readable but not searchable lists names it cannot stat), which holds for all its files.
 * That is decided after `identifyEachUpTo` files (see `secretsOutOfReach`).
 */
export function hardLinkCheck(
  secrets: SecretInodes | null,
  root: string,
  identifyEachUpTo: number,
): HardLinkCheck {
  let identify = secrets !== null;
  let decided = !identify;
  let identified = 0;
  const decide = (): void => {
    decided = true;
    if (secrets && secretsOutOfReach(secrets, root, readMountTable())) identify = false;
  };
  return {
    identifyNow() {
      if (!decided && identified >= identifyEachUpTo) decide();
      return identify;
    },
    secretOf(info) {
      identified++;
      return secrets?.get(inodeKey(info.dev, info.ino));
    },
  };
}
