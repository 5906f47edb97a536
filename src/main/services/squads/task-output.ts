import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { TranscriptItem } from '../../../shared/schemas/sessions';

const MAX_FILES = 100;
/** A squad keeps this much of an answer (it is saved and sent on every change of the squad). */
const MAX_ANSWER = 20_000;
const MAX_DEPTH = 4;

/** The agent's last answer of its last run: what a task hands on. */
export function finalAnswer(transcript: TranscriptItem[]): string {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const item = transcript[i];
    if (item?.kind === 'assistant' && item.text.trim()) {
      const text = item.text.trim();
      return text.length > MAX_ANSWER
        ? `${text.slice(0, MAX_ANSWER)}… [${text.length - MAX_ANSWER} more characters: the whole answer is in the task's transcript]`
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
    const inWorkspace = path ? workspacePath(JSON.parse(`"${path}"`) as string) : null;
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

/**
 * Files under the task's output folder, found without following links: the agent could have
 * made any part of the path a link to elsewhere on this computer, whose names it must not learn.
 */
async function listOutputFolder(workspace: string, folder: string): Promise<string[]> {
  let dir = workspace;
  for (const part of folder.split('/')) {
    dir = join(dir, part);
    const info = await lstat(dir).catch(() => null);
    if (!info?.isDirectory()) return [];
  }
  const out: string[] = [];
  const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    for (const entry of await readdir(abs, { withFileTypes: true }).catch(() => [])) {
      if (out.length >= MAX_FILES) return;
      const name = `${rel}/${entry.name}`;
      if (entry.isFile()) out.push(name);
      else if (entry.isDirectory()) await walk(join(abs, entry.name), name, depth + 1);
    }
  };
  await walk(dir, folder, 0);
  return out;
}
