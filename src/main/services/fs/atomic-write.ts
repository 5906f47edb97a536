import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write-then-rename so a reader never sees half a file and a crash never leaves a torn one.
 * The temp file is fsynced before the rename, and created with `mode` so a secret is never
 * briefly world-readable.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
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
  const name = basename(path);
  const stale = (await readdir(dir).catch(() => [] as string[])).filter(
    (entry) =>
      entry === `.${name}.tmp` ||
      (entry.startsWith(`.${name}.`) && /^[0-9a-f]{12}\.tmp$/.test(entry.slice(name.length + 2))),
  );
  for (const entry of stale) await rm(join(dir, entry), { force: true });
  return stale;
}
