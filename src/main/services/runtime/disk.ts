import { statfs } from 'node:fs/promises';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import { formatBytes } from '../../../shared/format-bytes';

/** The agent image is about 1-2 GB; below this, builds and containers start failing. */
export const LOW_DISK_BYTES = 4 * 1024 ** 3;

/**
 * Free space where the engine keeps images, when that folder is on this host (it is not for
 * engines inside a VM, such as Docker Desktop's). "Check available disk space" from the guide,
 * done for the user.
 */
export async function engineDisk(
  rootDir: string | null,
  lowBytes = LOW_DISK_BYTES,
): Promise<RuntimeStatus['disk']> {
  if (!rootDir) return null;
  try {
    const s = await statfs(rootDir);
    const freeBytes = s.bavail * s.bsize;
    return { path: rootDir, freeBytes, totalBytes: s.blocks * s.bsize, low: freeBytes < lowBytes };
  } catch {
    return null;
  }
}

export function lowDiskMessage(disk: NonNullable<RuntimeStatus['disk']>): string {
  return `Only ${formatBytes(disk.freeBytes)} free on ${disk.path}: the agent image needs about 2 GB plus room for containers. Free space (e.g. \`docker system prune\`) before building.`;
}
