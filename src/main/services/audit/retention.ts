import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** `audit-<time>-<n>.jsonl`: a rotated file; the name sorts oldest first. */
export const ROTATED = /^audit-(\d{8}T\d{6}\d{3}Z)-(\d+)\.jsonl$/;

export interface RetentionLimits {
  /** All audit files together (the live one included) stay under this many bytes. */
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
  const rotated: { name: string; size: number; mtimeMs: number }[] = [];
  for (const name of (await readdir(dir)).filter((n) => ROTATED.test(n)).sort()) {
    try {
      const info = await stat(join(dir, name));
      rotated.push({ name, size: info.size, mtimeMs: info.mtimeMs });
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
    await unlink(join(dir, `${file.name}.idx.json`)).catch(() => undefined);
    total -= file.size;
    result.files.push(file.name);
    result.bytes += file.size;
    if (old) result.byAge += 1;
    else result.bySize += 1;
  }
  return result;
}
