import type { AuditEntry } from '../../../shared/schemas/audit';

/** No audit line (JSON plus its newline) is ever longer than this many bytes. */
export const MAX_ENTRY_BYTES = 8 * 1024;
/** Longer messages are cut to this many characters, with a note of how much was cut. */
export const MAX_MESSAGE_CHARS = 1_000;
/** Longer string values in `details` (at any depth) are cut to this many characters. */
export const MAX_DETAIL_STRING_CHARS = 500;
/** group, container and category: names, never essays. */
export const MAX_NAME_CHARS = 200;
/** A detail value bigger than this (serialised) is the first to go when an entry is too large. */
const BIG_VALUE_BYTES = 256;

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … [truncated, ${text.length} chars]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

function lineBytes(entry: AuditEntry): number {
  return Buffer.byteLength(JSON.stringify(entry)) + 1;
}

function cutStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return truncateText(value, MAX_DETAIL_STRING_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[Truncated]';
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    out[truncateText(key, MAX_NAME_CHARS)] = cutStrings(item, depth + 1);
  return out;
}

/**
 * Bounds one entry, already redacted, to `MAX_ENTRY_BYTES` serialised: long message and long
 * strings in details are cut first; then detail values that are still big are replaced by a
 * marker (small ones such as a count survive); then details as a whole; then the message again.
 * Cutting happens after redaction, so a secret is never split into a form redaction misses.
 */
export function capEntry(entry: AuditEntry): AuditEntry {
  const capped: AuditEntry = {
    ...entry,
    category: truncateText(entry.category, MAX_NAME_CHARS),
    ...(entry.group !== undefined ? { group: truncateText(entry.group, MAX_NAME_CHARS) } : {}),
    ...(entry.container !== undefined
      ? { container: truncateText(entry.container, MAX_NAME_CHARS) }
      : {}),
    message: truncateText(entry.message, MAX_MESSAGE_CHARS),
  };
  const originalBytes = Buffer.byteLength(JSON.stringify(entry.details));
  capped.details = cutStrings(entry.details) as Record<string, unknown>;
  if (lineBytes(capped) <= MAX_ENTRY_BYTES) return capped;

  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(capped.details)) {
    const size = Buffer.byteLength(JSON.stringify(value) ?? '');
    details[key] = size > BIG_VALUE_BYTES ? `[truncated, ${size} bytes]` : value;
  }
  capped.details = { ...details, truncated: true };
  if (lineBytes(capped) <= MAX_ENTRY_BYTES) return capped;

  capped.details = { truncated: true, originalBytes };
  if (lineBytes(capped) <= MAX_ENTRY_BYTES) return capped;

  // Only names and message written with many multi-byte or escaped characters get here.
  capped.message = truncateText(capped.message, 200);
  for (const field of ['group', 'container'] as const)
    if (capped[field] !== undefined) capped[field] = truncateText(capped[field], 40);
  capped.category = truncateText(capped.category, 40);
  if (lineBytes(capped) <= MAX_ENTRY_BYTES) return capped;
  return { ...capped, message: '[message dropped: too large]', details: { truncated: true } };
}
