import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { indexPathsOf } from './audit-index';

/** `audit-<time>-<n>.jsonl`: a rotated file; the name sorts oldest first. */
export const ROTATED = /^audit-(\d{8}T\d{6}\d{3}Z)-(\d+)\.jsonl$/;
/** A rotated file's index (audit-index.ts), or a temp copy of one being written. */
const INDEX_OF = /^\.?(audit-\d{8}T\d{9}Z-\d+\.jsonl)\.idx\.(?:json|bin)(?:\.[0-9a-f]+\.tmp)?$/;

export interface RetentionLimits {
  /** All audit files together (the live one and the indexes included) stay under this. */
  maxBytes: number;
  /** Rotated files whose last entry is older than this are deleted. */
  maxAgeMs: number;
}

export function retentionFromSettings(audit: {
  retentionMaxMb: number;
  retentionDays: number;
}): RetentionLimits {
  return {
    maxBytes: audit.retentionMaxMb * 1024 * 1024,
    maxAgeMs: audit.retentionDays * 24 * 60 * 60 * 1000,
  };
}

export interface PruneResult {
  files: string[];
  bytes: number;
  byAge: number;
  bySize: number;
}

/**
 * Deletes rotated audit files: first every file whose newest entry (its mtime) is older than
 * `maxAgeMs`, then the oldest ones until all files together fit in `maxBytes`. The live file is
 * never deleted, so the newest entries always survive, even when it alone is over the limit.
 */
export async function pruneRotated(
  dir: string,
  liveBytes: number,
  limits: RetentionLimits,
  now: number,
): Promise<PruneResult> {
  const names = await readdir(dir);
  // An index rebuilt for a file as it was deleted, or a crash's temp copy: its file is gone.
  const present = new Set(names.filter((n) => ROTATED.test(n)));
  for (const name of names) {
    const indexed = INDEX_OF.exec(name)?.[1];
    if (indexed && !present.has(indexed)) await unlink(join(dir, name)).catch(() => undefined);
  }
  const rotated: { name: string; size: number; mtimeMs: number }[] = [];
  for (const name of [...present].sort()) {
    try {
      const info = await stat(join(dir, name));
      // A file's index (audit-index.ts) counts with it: the limit is on the folder.
      let size = info.size;
      for (const index of indexPathsOf(join(dir, name)))
        size += await stat(index).then(
          (s) => s.size,
          () => 0,
        );
      rotated.push({ name, size, mtimeMs: info.mtimeMs });
    } catch {
      // gone already
    }
  }
  let total = liveBytes + rotated.reduce((sum, f) => sum + f.size, 0);
  const result: PruneResult = { files: [], bytes: 0, byAge: 0, bySize: 0 };
  for (const file of rotated) {
    const old = now - file.mtimeMs > limits.maxAgeMs;
    const over = total > limits.maxBytes;
    if (!old && !over) continue;
    try {
      await unlink(join(dir, file.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Its index goes with it (audit-index.ts).
    for (const index of indexPathsOf(join(dir, file.name)))
      await unlink(index).catch(() => undefined);
    total -= file.size;
    result.files.push(file.name);
    result.bytes += file.size;
    if (old) result.byAge += 1;
    else result.bySize += 1;
  }
  return result;
}
