import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MaskedEntry } from '../../../shared/schemas/mounts';
import { isInside } from './path-utils';
import { componentMatches } from './patterns';

export interface MaskScanOptions {
  patterns: readonly string[];
  /** Absolute real paths agents may never see (the data folder), masked at any depth. */
  protectedPaths: readonly string[];
  maxDepth?: number;
  maxEntries?: number;
  timeBudgetMs?: number;
}

/**
 * Finds what inside an allowed folder must stay hidden: entries matching a blocked pattern
 * (up to `maxDepth` levels down) and protected paths at any depth. Bounded in entries and time
 * so a huge folder cannot stall a container start; `incomplete` says when it stopped early.
 */
export async function scanForMasks(
  root: string,
  options: MaskScanOptions,
): Promise<{ masked: MaskedEntry[]; incomplete: boolean }> {
  const maxDepth = options.maxDepth ?? 3;
  const maxEntries = options.maxEntries ?? 100_000;
  const deadline = Date.now() + (options.timeBudgetMs ?? 2000);
  const masked: MaskedEntry[] = [];
  let seen = 0;
  let incomplete = false;

  for (const p of options.protectedPaths) {
    if (p === root || !isInside(p, root)) continue;
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => null,
    );
    if (isDir !== null)
      masked.push({
        path: relative(root, p),
        kind: isDir ? 'directory' : 'file',
        pattern: 'protected',
      });
  }

  let level: string[] = [root];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (Date.now() > deadline || seen > maxEntries) {
        incomplete = true;
        return { masked, incomplete };
      }
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable for us, so unreadable for the container's uid too
      }
      for (const entry of entries) {
        seen++;
        const full = join(dir, entry.name);
        if (masked.some((m) => m.pattern === 'protected' && isInside(full, join(root, m.path))))
          continue;
        // Symlinks are left alone: inside the container they resolve against what is mounted,
        // so one that points outside dangles, and one that points inside reaches a checked entry.
        if (entry.isSymbolicLink()) continue;
        const pattern = options.patterns.find((p) => componentMatches(entry.name, p));
        if (pattern) {
          masked.push({
            path: relative(root, full),
            kind: entry.isDirectory() ? 'directory' : 'file',
            pattern,
          });
        } else if (entry.isDirectory()) {
          next.push(full);
        }
      }
    }
    level = next;
  }
  return { masked, incomplete };
}
