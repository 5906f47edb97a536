import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { processAlive, readDiscovery } from './discovery';

export const LOCK_FILE = 'aigo.lock';

/** Folders this process holds: a second core in the same process conflicts too. */
const held = new Set<string>();

interface LockInfo {
  pid: number;
  /** When that process started (Linux), so a pid reused by another program is not mistaken for aigo. */
  started: string | null;
}

/** Field 22 of /proc/<pid>/stat: the process start time in clock ticks since boot. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

async function readLock(path: string): Promise<LockInfo | null> {
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (!text) return null;
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    return typeof info.pid === 'number' ? { pid: info.pid, started: info.started ?? null } : null;
  } catch {
    return null;
  }
}

async function ownerIsRunning(info: LockInfo): Promise<boolean> {
  if (!processAlive(info.pid)) return false;
  if (info.started === null) return true; // no start time to compare (not Linux): trust the pid
  return processStart(info.pid) === info.started;
}

/**
 * One running aigo per data folder: two would each keep their own copy of the settings and
 * overwrite each other's. The lock file appears whole or not at all (written aside, then
 * hard-linked into place, which fails if it exists); a lock left by a dead process is taken over.
 * Returns the release function.
 */
export async function acquireInstanceLock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, started: processStart(process.pid) };
  const temp = join(dataDir, `.${LOCK_FILE}.${randomBytes(6).toString('hex')}`);
  // Synchronous: the start-up waits for the lock and does nothing else meanwhile, and each
  // asynchronous call would wait a turn of the event loop.
  writeFileSync(temp, `${JSON.stringify(mine)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (held.has(path)) throw await conflict(dataDir, path, process.pid);
      try {
        linkSync(temp, path);
        held.add(path);
        return async () => {
          held.delete(path);
          const owner = await readLock(path);
          if (owner?.pid === process.pid) await rm(path, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readLock(path);
      if (owner && owner.pid !== process.pid && (await ownerIsRunning(owner))) {
        throw await conflict(dataDir, path, owner.pid);
      }
      // Stale (its process is gone) or unreadable: remove it and try again; if another start
      // removes and re-creates it meanwhile, the next round sees that one.
      await rm(path, { force: true });
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
    throw new AppError(
      'CONFLICT',
      `Could not take the lock ${path}: another aigo keeps starting with this data folder.`,
    );
  } finally {
    rmSync(temp, { force: true });
  }
}

async function conflict(dataDir: string, path: string, pid: number): Promise<AppError> {
  const discovery = await readDiscovery(join(dataDir, 'mgmt-api.json'));
  const url = discovery?.pid === pid ? discovery.url : null;
  return new AppError(
    'CONFLICT',
    `aigo is already running with the data folder ${dataDir} (process ${pid}${url ? ` at ${url}` : ''}; lock ${path}). Use that one (aigo status), stop it first, or start this one with --data-dir <another folder>.`,
    { pid, dataDir },
  );
}
