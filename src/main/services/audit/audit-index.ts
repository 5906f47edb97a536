import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditEntry, AuditQuery } from '../../../shared/schemas/audit';
import { writeFileAtomic } from '../fs/atomic-write';
import { forEachLine } from './audit-lines';

/**
 * What one audit file holds: counts per severity, category and group, the first and last
 * entry's time, and where the lines of each filter key are. Kept for the live file in memory
 * and written beside each rotated file when it rotates — counts in `<file>.idx.json`, postings
 * in `<file>.idx.bin` — so a query skips every file that cannot match, and reads only the lines
 * of a key that is rare enough to be listed.
 */
export interface Counts {
  count: number;
  severities: Record<string, number>;
  categories: Record<string, number>;
  /** null once a file has more distinct groups than are worth counting (then: always read). */
  groups: Record<string, number> | null;
  first: number | null;
  last: number | null;
}

/**
 * Per filter key (`severity:x`, `category:x`, `group:x`): its lines' byte offset and length
 * (without the newline), `[offset, length, offset, length, …]` oldest first. A key's list is
 * complete or null (too common to list: scan the file instead); a key not here is unknown too.
 */
export type Postings = Record<string, number[] | null>;

/** A file's summary as the log builds it; `postings` null: none to trust (scan the file). */
export interface FileSummary extends Counts {
  postings: Postings | null;
}

/** As stored beside a rotated file: per key, `[first pair, pairs]` in `<file>.idx.bin`. */
export interface StoredIndex extends Counts {
  version: number;
  postings: Record<string, [number, number] | null> | null;
}

/** Indexes of an older version (no postings) are rebuilt from their file, once. */
export const INDEX_VERSION = 2;
const MAX_GROUPS = 500;
/** Past this many lines in one file a key is common: a backward scan finds it soon enough. */
export const MAX_POSTINGS_PER_KEY = 4_096;
/** Past this many listed keys in one file, further keys are not listed (scan for them). */
const MAX_POSTING_KEYS = 1_024;
/** Offsets and lengths are stored as 32-bit numbers. */
const MAX_OFFSET = 0xffff_ffff;

export const severityKey = (severity: string) => `severity:${severity}`;
export const categoryKey = (category: string) => `category:${category}`;
export const groupKey = (group: string) => `group:${group}`;

/** The keys a query's filter names: an entry must carry every one of them to match. */
export function queryKeys(query: AuditQuery): string[] {
  const keys: string[] = [];
  if (query.severity) keys.push(severityKey(query.severity));
  if (query.category) keys.push(categoryKey(query.category));
  if (query.group) keys.push(groupKey(query.group));
  return keys;
}

export function emptySummary(): FileSummary {
  return {
    count: 0,
    severities: {},
    categories: {},
    groups: {},
    first: null,
    last: null,
    postings: {},
  };
}

type Summarized = Pick<AuditEntry, 'severity' | 'category' | 'group' | 'time'>;

/** Counts `entry`, and lists it under its keys when its line's place in the file is given. */
export function addToSummary(
  summary: FileSummary,
  entry: Summarized,
  line?: { offset: number; length: number },
): void {
  summary.count++;
  summary.severities[entry.severity] = (summary.severities[entry.severity] ?? 0) + 1;
  summary.categories[entry.category] = (summary.categories[entry.category] ?? 0) + 1;
  if (summary.groups && entry.group) {
    summary.groups[entry.group] = (summary.groups[entry.group] ?? 0) + 1;
    if (Object.keys(summary.groups).length > MAX_GROUPS) summary.groups = null;
  }
  const time = Date.parse(entry.time);
  if (Number.isFinite(time)) {
    summary.first = summary.first === null ? time : Math.min(summary.first, time);
    summary.last = summary.last === null ? time : Math.max(summary.last, time);
  }
  if (!summary.postings) return;
  if (!line || line.offset + line.length > MAX_OFFSET) {
    summary.postings = null; // a line whose place is not known: no list is complete any more
    return;
  }
  const keys = [severityKey(entry.severity), categoryKey(entry.category)];
  if (typeof entry.group === 'string') keys.push(groupKey(entry.group));
  for (const key of keys) post(summary.postings, key, line.offset, line.length);
}

function post(postings: Postings, key: string, offset: number, length: number): void {
  if (!Object.hasOwn(postings, key)) {
    if (Object.keys(postings).length >= MAX_POSTING_KEYS) return; // unknown: scanned for
    postings[key] = [];
  }
  const list = postings[key];
  if (!list) return;
  // Replaced, never cut: a query may still be reading the old list.
  if (list.length >= 2 * MAX_POSTINGS_PER_KEY) postings[key] = null;
  else list.push(offset, length);
}

/** A file's summary from its content, read in chunks (a torn line is skipped). */
export async function summarizeFile(file: string): Promise<FileSummary> {
  const summary = emptySummary();
  await forEachLine(file, (text, offset, length) => {
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
    } catch {
      return; // not an entry
    }
    if (entry && typeof entry === 'object') addToSummary(summary, entry, { offset, length });
  });
  return summary;
}

/** False when no entry of the file can match the query's filters: the file need not be read. */
export function mayMatch(summary: Counts, query: AuditQuery): boolean {
  if (summary.count === 0) return false;
  if (query.severity && !summary.severities[query.severity]) return false;
  if (query.category && !summary.categories[query.category]) return false;
  if (query.group && summary.groups && !summary.groups[query.group]) return false;
  return true;
}

export const indexPathOf = (file: string) => `${file}.idx.json`;
export const postingsPathOf = (file: string) => `${file}.idx.bin`;
export const indexPathsOf = (file: string) => [indexPathOf(file), postingsPathOf(file)];

/** Writes a rotated file's index (postings first: the counts name them) and returns it. */
export async function writeIndex(file: string, summary: FileSummary): Promise<StoredIndex> {
  const { postings, ...counts } = summary;
  const stored: StoredIndex = { version: INDEX_VERSION, ...counts, postings: null };
  if (postings) {
    const refs: Record<string, [number, number] | null> = {};
    let pairs = 0;
    for (const list of Object.values(postings)) pairs += list ? list.length / 2 : 0;
    const bytes = Buffer.alloc(pairs * 8);
    let at = 0; // in pairs
    for (const [key, list] of Object.entries(postings)) {
      refs[key] = list ? [at, list.length / 2] : null;
      if (!list) continue;
      for (let i = 0; i < list.length; i++) bytes.writeUInt32LE(list[i]!, at * 8 + i * 4);
      at += list.length / 2;
    }
    await writeBytesAtomic(postingsPathOf(file), bytes);
    stored.postings = refs;
  }
  await writeFileAtomic(indexPathOf(file), JSON.stringify(stored), 0o600);
  return stored;
}

/** A rotated file's index: stored, or — missing, damaged or older — rebuilt from the file. */
export async function loadIndex(file: string): Promise<StoredIndex | null> {
  try {
    const parsed = JSON.parse(await readFile(indexPathOf(file), 'utf8')) as StoredIndex;
    if (parsed.version === INDEX_VERSION && typeof parsed.count === 'number') return parsed;
  } catch {
    // missing or damaged: rebuilt below
  }
  let summary: FileSummary;
  try {
    summary = await summarizeFile(file);
  } catch {
    return null;
  }
  return writeIndex(file, summary).catch(() => {
    const { postings: _postings, ...counts } = summary;
    return { version: INDEX_VERSION, ...counts, postings: null };
  });
}

/** A rotated file's list for `key` (see `Postings`), read from `<file>.idx.bin`. */
export async function readPostings(
  file: string,
  index: StoredIndex,
  key: string,
): Promise<number[] | null> {
  const ref = index.postings && Object.hasOwn(index.postings, key) ? index.postings[key] : null;
  if (!ref) return null;
  const [at, pairs] = ref;
  const bytes = Buffer.alloc(pairs * 8);
  try {
    const handle = await open(postingsPathOf(file), 'r');
    try {
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, at * 8);
      if (bytesRead !== bytes.length) return null; // lost or cut: scan the file instead
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  const list = new Array<number>(pairs * 2);
  for (let i = 0; i < list.length; i++) list[i] = bytes.readUInt32LE(i * 4);
  return list;
}

/** As `writeFileAtomic`, for bytes: a reader never sees half a postings file. */
async function writeBytesAtomic(path: string, data: Buffer): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path).catch(async (error: unknown) => {
    await rm(temp, { force: true });
    throw error;
  });
}
