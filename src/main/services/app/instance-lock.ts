import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { processAlive, readDiscovery } from './discovery';

export const LOCK_FILE = 'aigo.lock';

/** Folders this process holds: a second core in the same process conflicts too. */
const held = new Set<string>();

/**
 * One running aigo per data folder: two would each keep their own copy of the settings and
 * overwrite each other's. Returns the release function; a lock left by a dead process is taken over.
 */
export async function acquireInstanceLock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  const release = async () => {
    held.delete(path);
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (owner === process.pid) await rm(path, { force: true });
  };
  const take = () => {
    held.add(path);
    return release;
  };
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  const ours = owner === process.pid && held.has(path);
  if (
    Number.isInteger(owner) &&
    owner > 0 &&
    (ours || (owner !== process.pid && processAlive(owner)))
  ) {
    const discovery = await readDiscovery(join(dataDir, 'mgmt-api.json'));
    const where = discovery?.pid === owner ? ` at ${discovery.url}` : '';
    throw new AppError(
      'CONFLICT',
      `aigo is already running with the data folder ${dataDir} (process ${owner}${where}). Use that one (aigo status), stop it first, or start this one with --data-dir <another folder>.`,
      { pid: owner, dataDir },
    );
  }
  await writeFileAtomic(path, `${process.pid}\n`, 0o600); // the previous owner died without cleaning up
  return take();
}
