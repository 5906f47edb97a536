import { randomUUID } from 'node:crypto';
import type { AuditEntry, Severity } from '../../../shared/schemas/audit';
import { redact, redactString } from '../logging/redact';
import type { CoalesceSample } from './coalescer';
import { capEntry, MAX_MESSAGE_CHARS, truncateText } from './entry-limits';

export interface AuditInput {
  severity: Severity;
  category: string;
  message: string;
  group?: string;
  container?: string;
  details?: Record<string, unknown>;
  /**
   * Events that anyone can trigger (a refused request) name their cause and source here, e.g.
   * `proxy-refusal:no_token:127.0.0.1`. Repeats of one key within an interval become one entry
   * with a count, so a flood cannot grow the log without bound.
   */
  coalesceKey?: string;
}

/** Redacted first, then bounded: cutting never splits a secret into a form redaction misses. */
export function prepareEntry(input: Omit<AuditInput, 'coalesceKey'>): AuditEntry {
  return capEntry({
    id: randomUUID(),
    time: new Date().toISOString(),
    severity: input.severity,
    category: input.category,
    ...(input.group !== undefined ? { group: input.group } : {}),
    ...(input.container !== undefined ? { container: input.container } : {}),
    message: redactString(input.message),
    details: redact(input.details ?? {}) as Record<string, unknown>,
  });
}

/** The first repeat of a window, kept to stand for the rest in the summary. */
export function coalesceSample(input: AuditInput): CoalesceSample {
  // Room for the summary's "(repeated N times …)" without cutting the message twice.
  const message = truncateText(redactString(input.message), MAX_MESSAGE_CHARS - 200);
  const { id: _id, time: _time, ...rest } = prepareEntry({ ...input, message });
  return rest;
}
