import { open, type FileHandle } from 'node:fs/promises';
import type { AuditEntry, AuditQuery } from '../../../shared/schemas/audit';
import {
  mayMatch,
  queryKeys,
  readPostings,
  type Counts,
  type FileSummary,
  type StoredIndex,
} from './audit-index';
import { readPosted, scanBackward } from './audit-lines';

const INDEX_PREFETCH = 8;

/** What a query knows of one file before reading it. */
export interface IndexView {
  counts: Counts;
  /** How many lines of `key` the file lists, or null: not listed (scan for it). */
  listed(key: string): number | null;
  /** Those lines, `[offset, length, …]` oldest first, or null: lost (scan for it). */
  lines(key: string): Promise<number[] | null>;
}

/** One file to query, newest first; `open` gives it with the bytes to read, or null: gone. */
export interface QueryFile {
  index(): Promise<IndexView | null>;
  open(): Promise<{ handle: FileHandle; size: number; owned: boolean } | null>;
}

export function liveView(summary: FileSummary): IndexView {
  const list = (key: string) =>
    (summary.postings && Object.hasOwn(summary.postings, key) && summary.postings[key]) || null;
  return {
    counts: summary,
    listed: (key) => {
      const lines = list(key);
      return lines ? lines.length / 2 : null;
    },
    lines: (key) => Promise.resolve(list(key)),
  };
}

export function storedView(file: string, index: StoredIndex): IndexView {
  return {
    counts: index,
    listed: (key) =>
      index.postings && Object.hasOwn(index.postings, key)
        ? (index.postings[key]?.[1] ?? null)
        : null,
    lines: (key) => readPostings(file, index, key),
  };
}

/** A file read whole when it has no index: its size as it is now. */
export async function openWhole(path: string) {
  try {
    const handle = await open(path, 'r');
    try {
      return { handle, size: (await handle.stat()).size, owned: true };
    } catch (error) {
      await handle.close();
      throw error;
    }
  } catch {
    return null;
  }
}

/**
 * The query over files newest first: files their summary rules out are skipped; in a file,
 * the lines of the query's rarest listed key are read (postings), or else the file is read
 * backwards, lines without the filter's text never parsed. Entries are written in the order
 * they are stamped, so their times do not decrease along a file: `since` can stop at the first
 * older entry among those read, and a `before` page at the line of its entry.
 */
export async function runQuery(
  files: QueryFile[],
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; truncated: boolean }> {
  const since = query.since ? Date.parse(query.since) : null;
  let waitingFor = query.before ?? null;
  const entries: AuditEntry[] = [];
  let done = false;
  let truncated = false;

  /** True when the query is answered. */
  const consider = (text: string): boolean => {
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
    } catch {
      return false; // a torn line after a crash; the rest of the file still counts
    }
    if (!entry || typeof entry !== 'object') return false;
    if (since !== null && Date.parse(entry.time) < since) return (done = true);
    if (waitingFor !== null) {
      if (entry.id === waitingFor) waitingFor = null; // everything after this line is older
      return false;
    }
    if (!matches(entry, query)) return false;
    if (entries.length === query.limit) return (done = truncated = true);
    entries.push(entry);
    return false;
  };

  const keys = queryKeys(query);
  const read = async (handle: FileHandle, size: number, index: IndexView | null) => {
    let end = size;
    if (waitingFor !== null) {
      // Only the line holding the id can end the wait: find it, then go on from there.
      const id = Buffer.from(`"id":${JSON.stringify(waitingFor)}`);
      let found = -1;
      await scanBackward(handle, end, [id], (text, offset) => {
        if (consider(text) || waitingFor !== null) return done;
        found = offset;
        return true;
      });
      if (found < 0) return;
      end = found;
    }
    const key = index ? rarestListed(index, keys) : null;
    const lines = key && index ? await index.lines(key) : null;
    if (lines) await readPosted(handle, lines, end, query.limit - entries.length + 1, consider);
    else await scanBackward(handle, end, needles(query, index?.counts ?? null), consider);
  };

  // Indexes are small files: the next few are read while this one is looked at.
  const indexes: Promise<IndexView | null>[] = [];
  const indexAt = (i: number) => {
    for (let k = indexes.length; k < Math.min(files.length, i + INDEX_PREFETCH); k++)
      indexes.push(files[k]!.index().catch(() => null));
    return indexes[i]!;
  };
  try {
    for (const [i, file] of files.entries()) {
      // A file none of whose entries can match is not read (unless paging must find `before`).
      const index = await indexAt(i);
      if (index && since !== null && index.counts.last !== null && index.counts.last < since) break;
      if (index && waitingFor === null && !mayMatch(index.counts, query)) continue;
      const opened = await file.open();
      if (!opened) continue;
      try {
        await read(opened.handle, opened.size, index);
      } finally {
        if (opened.owned) await opened.handle.close();
      }
      if (done) break;
    }
  } finally {
    await Promise.all(indexes); // none left running (a rebuild writes files) once answered
  }
  return { entries, truncated };
}

function rarestListed(index: IndexView, keys: string[]): string | null {
  let best: string | null = null;
  let fewest = Infinity;
  for (const key of keys) {
    const listed = index.listed(key);
    if (listed !== null && listed < fewest) [best, fewest] = [key, listed];
  }
  return best;
}

/**
 * The text each filtered field's entries hold: entries are written by JSON.stringify, so one
 * whose severity is "violation" holds `"severity":"violation"` verbatim, and a line without it
 * cannot match (one with it may still not: the parsed entry decides). Rarest first.
 */
function needles(query: AuditQuery, counts: Counts | null): Buffer[] {
  const fields = [
    ['severity', query.severity, counts?.severities],
    ['category', query.category, counts?.categories],
    ['group', query.group, counts?.groups],
  ] as const;
  return fields
    .flatMap(([field, value, table]) =>
      value
        ? [
            {
              text: `"${field}":${JSON.stringify(value)}`,
              count: table && Object.hasOwn(table, value) ? table[value]! : Infinity,
            },
          ]
        : [],
    )
    .sort((a, b) => a.count - b.count)
    .map(({ text }) => Buffer.from(text));
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.severity && entry.severity !== query.severity) return false;
  if (query.category && entry.category !== query.category) return false;
  if (query.group && entry.group !== query.group) return false;
  return true;
}
