import type { Session, TranscriptItem } from '../../../../shared/schemas/sessions';

/** An item with an id already shown replaces it (a tool going from running to ok); else it is added. */
export function upsertItem(items: TranscriptItem[], item: TranscriptItem): TranscriptItem[] {
  const index = items.findIndex((i) => i.id === item.id);
  if (index < 0) return [...items, item];
  const next = [...items];
  next[index] = item;
  return next;
}

export function mergeItems(base: TranscriptItem[], later: TranscriptItem[]): TranscriptItem[] {
  return later.reduce(upsertItem, base);
}

const newestFirst = (a: Session, b: Session) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/** The list with this session's newest state, newest session first. */
export function upsertSession(sessions: Session[], session: Session): Session[] {
  const index = sessions.findIndex((s) => s.id === session.id);
  if (index >= 0) {
    // An answer that left before an event must not undo it.
    if ((sessions[index]?.updatedAt ?? '') > session.updatedAt) return sessions;
    const next = [...sessions];
    next[index] = session;
    return next;
  }
  return [...sessions, session].sort(newestFirst);
}

export const isActive = (s: Pick<Session, 'state'>) => s.state !== 'ended';

/** Paths the agent wrote, in the order it first wrote them (for the "Files written" strip). */
export function writtenFiles(items: TranscriptItem[]): { path: string; ok: boolean }[] {
  const files = new Map<string, boolean>();
  for (const item of items) {
    if (item.kind !== 'tool' || item.tool !== 'write_file') continue;
    const path = toolArg(item.input, 'path');
    if (path) files.set(path, (files.get(path) ?? false) || item.status === 'ok');
  }
  return [...files].map(([path, ok]) => ({ path, ok }));
}

/**
 * One string argument of a tool call. The input is the call's JSON shortened for display, so it
 * may be cut off: parse it when it is whole, else find the field in the text.
 */
export function toolArg(input: string, name: string): string | null {
  try {
    const value = (JSON.parse(input) as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : null;
  } catch {
    const match = new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(input);
    if (!match?.[1]) return null;
    try {
      return JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return match[1];
    }
  }
}

const PREVIEW_ARG: Record<string, string> = {
  run_command: 'command',
  read_file: 'path',
  write_file: 'path',
  list_directory: 'path',
  search_files: 'pattern',
  send_message: 'text',
  schedule_task: 'prompt',
};

/** A one-line summary of a tool call's input for its collapsed row. */
export function toolPreview(tool: string, input: string): string {
  const arg = PREVIEW_ARG[tool];
  const text = (arg ? toolArg(input, arg) : null) ?? input;
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
