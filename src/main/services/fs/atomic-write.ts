import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The temps of `path` among a folder's entries (see removeStaleTemps). */
function staleTempsOf(path: string, entries: string[]): string[] {
  const name = basename(path);
  return entries.filter(
    (entry) =>
      entry === `.${name}.tmp` ||
      (entry.startsWith(`.${name}.`) && /^[0-9a-f]{12}\.tmp$/.test(entry.slice(name.length + 2))),
  );
}

/**
 * Write-then-rename so a reader never sees half a file and a crash never leaves a torn one.
 * The temp file is fsynced before the rename, and created with `mode` so a secret is never
 * briefly world-readable.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Removes temp copies a crash left beside `path` (`.name.<hex>.tmp` from `writeFileAtomic`,
 * `.name.tmp` from lowdb's writer): they may hold a secret, and nothing will ever rename them.
 * Call at start only: one aigo per data folder (aigo.lock), so no write of ours is under way.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const stale = staleTempsOf(path, await readdir(dir).catch(() => [] as string[]));
  for (const entry of stale) await rm(join(dir, entry), { force: true });
  return stale;
}

/**
 * The same two, synchronous, for the start-up's first steps (the instance lock, the API
 * token): nothing else runs yet, and each asynchronous call there waits a turn of the event
 * loop.
 */
export function removeStaleTempsSync(path: string): string[] {
  const dir = dirname(path);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const stale = staleTempsOf(path, entries);
  for (const entry of stale) rmSync(join(dir, entry), { force: true });
  return stale;
}

export function writeFileAtomicSync(path: string, data: string, mode = 0o644): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
