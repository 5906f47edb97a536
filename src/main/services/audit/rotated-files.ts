import type { FileHandle } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadIndex, type FileSummary, type StoredIndex } from './audit-index';
import { liveView, openWhole, storedView, type QueryFile } from './audit-query';
import { ROTATED } from './retention';

/**
 * The live file as a query sees it: opened in the write chain with its size and summary then.
 * Read through that handle, its bytes up to that size stay what they were, even if it is
 * renamed while the query reads.
 */
export interface LiveSnapshot {
  handle: FileHandle;
  size: number;
  owned: false;
  summary: FileSummary;
}

/** The rotated audit files of a folder, and their summaries for queries. */
export class RotatedFiles {
  /** Rotated files' summaries, by file name, read once (their postings stay on disk). */
  private readonly indexes = new Map<string, StoredIndex>();

  constructor(private readonly dir: string) {}

  /** A rotated file's index, just written from the live file's summary. */
  remember(file: string, index: StoredIndex): void {
    this.indexes.set(file, index);
  }

  /** The rotated files, newest first. */
  async newestFirst(): Promise<string[]> {
    const names = await readdir(this.dir);
    const files = names
      .filter((n) => ROTATED.test(n))
      .sort()
      .reverse()
      .map((n) => join(this.dir, n));
    // Forget the summaries of files retention deleted.
    const present = new Set(files);
    for (const known of this.indexes.keys()) if (!present.has(known)) this.indexes.delete(known);
    return files;
  }

  /** What a query reads, newest first: the live file (from its snapshot), then `rotated`. */
  queryFiles(livePath: string, live: LiveSnapshot | null, rotated: string[]): QueryFile[] {
    return [
      live
        ? { index: async () => liveView(live.summary), open: async () => live }
        : { index: async () => null, open: () => openWhole(livePath) },
      ...rotated.map((file) => ({
        index: async () => {
          const index = await this.summaryOf(file);
          return index ? storedView(file, index) : null;
        },
        open: () => openWhole(file),
      })),
    ];
  }

  private async summaryOf(file: string): Promise<StoredIndex | null> {
    const known = this.indexes.get(file);
    if (known) return known;
    const loaded = await loadIndex(file);
    if (loaded) this.indexes.set(file, loaded);
    return loaded;
  }
}
