import { opendir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { TranscriptItem } from '../../../shared/schemas/sessions';
import { openFolder } from '../sessions/ipc-files';

const MAX_FILES = 100;
/** A squad keeps this much of an answer (it is saved and sent on every change of the squad). */
const MAX_ANSWER = 20_000;
const MAX_DEPTH = 4;
/** Folders looked into: empty ones do not count towards MAX_FILES. */
const MAX_FOLDERS = 200;
/** Names read in all, files or not. */
const MAX_ENTRIES = 5_000;

/**
 * The agent's last answer of its last run: what a task hands on (cut at `max`; the planner's is
 * read whole, since its plan is in it).
 */
export function finalAnswer(transcript: TranscriptItem[], max = MAX_ANSWER): string {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const item = transcript[i];
    if (item?.kind === 'assistant' && item.text.trim()) {
      const text = item.text.trim();
      return text.length > max
        ? `${text.slice(0, max)}… [${text.length - max} more characters: the whole answer is in the task's transcript]`
        : text;
    }
    if (item?.kind === 'user' && item.source === 'prompt') break;
  }
  return '';
}

/**
 * Workspace files a task wrote: those its write_file calls name (relative to /workspace), and
 * whatever lies in its output folder (files a command made). Paths outside the workspace are
 * left out: the tasks after it could not see them.
 */
export async function filesWritten(
  transcript: TranscriptItem[],
  workspace: string | null,
  outputFolder: string,
): Promise<string[]> {
  const files = new Set<string>();
  for (const item of transcript) {
    if (item.kind !== 'tool' || item.tool !== 'write_file' || item.status !== 'ok') continue;
    // The input is shortened for display: read the path field, not the whole JSON.
    const path = /"path":\s*"((?:[^"\\]|\\.)*)"/.exec(item.input)?.[1];
    // The runner's lines are the agent's to write: a path that is not a JSON string is skipped.
    const inWorkspace = path ? workspacePath(jsonString(path)) : null;
    if (inWorkspace) files.add(inWorkspace);
  }
  if (workspace) for (const f of await listOutputFolder(workspace, outputFolder)) files.add(f);
  return [...files].sort().slice(0, MAX_FILES);
}

function workspacePath(path: string): string | null {
  const absolute = posix.normalize(posix.isAbsolute(path) ? path : `/workspace/${path}`);
  if (!absolute.startsWith('/workspace/')) return null;
  const rel = absolute.slice('/workspace/'.length);
  return rel && !rel.startsWith('extra/') ? rel : null;
}

function jsonString(escaped: string): string {
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return '';
  }
}

/**
 * Files under the task's output folder. Each folder is opened without following a link and the
 * next one is opened through it (by descriptor): an agent of the group may swap any part of the
 * path for a link to elsewhere on this computer, whose names it must not learn — even while this
 * runs.
 */
async function listOutputFolder(workspace: string, folder: string): Promise<string[]> {
  type Folder = NonNullable<Awaited<ReturnType<typeof openFolder>>>;
  const opened: Folder[] = [];
  const out: string[] = [];
  let folders = 0;
  let entries = 0;
  try {
    let current = await openFolder(workspace);
    if (!current) return [];
    opened.push(current);
    for (const part of folder.split('/')) {
      current = await openFolder(current.path(part));
      if (!current) return [];
      opened.push(current);
    }
    const walk = async (dir: Folder, rel: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
      // Read entry by entry: an agent can fill a folder with millions of names.
      const listing = await opendir(dir.path('')).catch(() => null);
      if (!listing) return;
      for await (const entry of listing) {
        if (out.length >= MAX_FILES || ++entries > MAX_ENTRIES) break;
        const name = `${rel}/${entry.name}`;
        if (entry.isFile()) out.push(name);
        else if (entry.isDirectory()) {
          if (++folders > MAX_FOLDERS) return;
          const sub = await openFolder(dir.path(entry.name));
          if (!sub) continue;
          try {
            await walk(sub, name, depth + 1);
          } finally {
            await sub.close().catch(() => undefined);
          }
        }
      }
    };
    await walk(current, folder, 0);
    return out;
  } finally {
    await Promise.all(opened.map((f) => f.close().catch(() => undefined)));
  }
}
