import { readFile, unlink } from 'node:fs/promises';
import type { AuditEntry, AuditQuery } from '../../../shared/schemas/audit';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * What one audit file holds, in counts: per severity, category and group, and the first and
 * last entry's time. Kept for the live file in memory and written beside each rotated file
 * (`<file>.idx.json`) when it rotates, so a query skips every file that cannot match — a
 * filter that matches nothing no longer reads the whole log.
 */
export interface FileSummary {
  count: number;
  severities: Record<string, number>;
  categories: Record<string, number>;
  /** null once a file has more distinct groups than are worth counting (then: always read). */
  groups: Record<string, number> | null;
  first: number | null;
  last: number | null;
}

const MAX_GROUPS = 500;

export function emptySummary(): FileSummary {
  return { count: 0, severities: {}, categories: {}, groups: {}, first: null, last: null };
}

export function addToSummary(
  summary: FileSummary,
  entry: Pick<AuditEntry, 'severity' | 'category' | 'group' | 'time'>,
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
}

/** The summary of a file's text (a torn last line after a crash is skipped). */
export function summarizeText(text: string): FileSummary {
  const summary = emptySummary();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      addToSummary(summary, JSON.parse(line) as AuditEntry);
    } catch {
      // not an entry
    }
  }
  return summary;
}

/** False when no entry of the file can match the query's filters: the file need not be read. */
export function mayMatch(summary: FileSummary, query: AuditQuery): boolean {
  if (summary.count === 0) return false;
  if (query.severity && !summary.severities[query.severity]) return false;
  if (query.category && !summary.categories[query.category]) return false;
  if (query.group && summary.groups && !summary.groups[query.group]) return false;
  return true;
}

export const indexPathOf = (file: string) => `${file}.idx.json`;

export async function writeIndex(file: string, summary: FileSummary): Promise<void> {
  await writeFileAtomic(indexPathOf(file), JSON.stringify(summary), 0o600);
}

/** A rotated file's summary: its index, or — missing or unreadable — rebuilt from the file. */
export async function loadIndex(file: string): Promise<FileSummary | null> {
  try {
    const parsed = JSON.parse(await readFile(indexPathOf(file), 'utf8')) as FileSummary;
    if (typeof parsed.count === 'number' && parsed.severities && parsed.categories) return parsed;
  } catch {
    // missing or damaged: rebuilt below
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const summary = summarizeText(text);
  await writeIndex(file, summary).catch(() => undefined);
  return summary;
}

export async function removeIndex(file: string): Promise<void> {
  await unlink(indexPathOf(file)).catch(() => undefined);
}
