import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, lstat, mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  sessionSchema,
  transcriptItemSchema,
  type Session,
  type TranscriptItem,
} from '../../../shared/schemas/sessions';
import { writeFileAtomic } from '../fs/atomic-write';
import { openFolder } from './ipc-files';

export const SESSIONS_DIR = 'sessions';

/** aigo's own workspace for a group without a folder of its own: DATA_DIR/workspaces/{group}. */
export function defaultWorkspace(dataDir: string, groupFolder: string): string {
  return join(dataDir, 'workspaces', groupFolder);
}

/** The error of a session that was running when aigo stopped or was killed. */
export const AIGO_STOPPED_ERROR =
  'aigo stopped while this session was running; send a message to resume it.';

/**
 * Where a session lives: `DATA_DIR/sessions/{group}/{session}/`, with `ipc/` (mounted at
 * /workspace/ipc: `input/` to the agent, `messages/` and `tasks/` from it), `state/` (the
 * agent's conversation, for resuming), and the host's own files beside them, which no
 * container ever sees: `session.json`, `transcript.jsonl`, `claimed/` and `errors/`.
 */
export interface SessionPaths {
  root: string;
  ipc: string;
  input: string;
  messages: string;
  tasks: string;
  state: string;
  claimed: string;
  errors: string;
  meta: string;
  transcript: string;
}

export function sessionPaths(dataDir: string, groupFolder: string, session: string): SessionPaths {
  const root = join(dataDir, SESSIONS_DIR, groupFolder, session);
  const ipc = join(root, 'ipc');
  return {
    root,
    ipc,
    input: join(ipc, 'input'),
    messages: join(ipc, 'messages'),
    tasks: join(ipc, 'tasks'),
    state: join(root, 'state'),
    claimed: join(root, 'claimed'),
    errors: join(root, 'errors'),
    meta: join(root, 'session.json'),
    transcript: join(root, 'transcript.jsonl'),
  };
}

/**
 * Creates what is missing (idempotent); `created` says whether anything was.
 *
 * The agent owns everything under ipc/ (and the state folder's contents): between two calls it
 * may have replaced `input/`, `messages/` or `tasks/` with a link to a host folder, or a file.
 * Such an entry is removed (the link itself, never what it points to) and made a real folder
 * again, reported through `onReplaced`; permissions are set on the folder opened without
 * following links, so no chmod ever reaches a host folder through one.
 */
export async function ensureSessionDirs(
  paths: SessionPaths,
  onReplaced?: (dir: string, was: string) => void,
): Promise<boolean> {
  let created = false;
  const agentDirs = new Set([paths.ipc, paths.input, paths.messages, paths.tasks, paths.state]);
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  for (const dir of [
    paths.ipc,
    paths.input,
    paths.messages,
    paths.tasks,
    paths.state,
    paths.claimed,
    paths.errors,
  ]) {
    const info = await lstat(dir).catch(() => null);
    if (info?.isDirectory()) continue;
    if (info) {
      onReplaced?.(dir, info.isSymbolicLink() ? 'a link' : 'not a folder');
      await rm(dir, { force: true });
    }
    await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    created = true;
    // The agent runs as uid 1000: it must write its messages and read its input.
    if (agentDirs.has(dir) && process.platform !== 'win32') await chmodFolder(dir, 0o777);
  }
  return created;
}

const NOFOLLOW_DIR =
  constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** chmod on the folder itself, opened without following a link (a link here is left alone). */
async function chmodFolder(dir: string, mode: number): Promise<void> {
  const handle = await open(dir, NOFOLLOW_DIR).catch(() => null);
  if (!handle) return;
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `name` atomically into an agent-owned folder (`ipc/input/`), through the folder opened
 * without following links: a folder the agent swapped for a link to a host folder gets nothing.
 * False when `dir` is not a real folder.
 */
export async function writeAgentFile(
  dir: string,
  name: string,
  data: string,
  mode = 0o644,
): Promise<boolean> {
  const folder = await openFolder(dir);
  if (!folder) return false;
  try {
    await writeFileAtomic(folder.path(name), data, mode);
    return true;
  } finally {
    await folder.close();
  }
}

/** Removes `names` from an agent-owned folder, never through a link; false when not a folder. */
export async function removeAgentFiles(dir: string, names: string[]): Promise<boolean> {
  const folder = await openFolder(dir);
  if (!folder) return false;
  try {
    for (const name of names) await rm(folder.path(name), { force: true, recursive: true });
    return true;
  } finally {
    await folder.close();
  }
}

/** `20261129-125130-a1b2`: sortable, unique enough, safe as a folder name. */
export function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function writeSessionMeta(paths: SessionPaths, session: Session): Promise<void> {
  await writeFileAtomic(paths.meta, `${JSON.stringify(session, null, 2)}\n`, 0o600);
}

export async function appendTranscript(paths: SessionPaths, item: TranscriptItem): Promise<void> {
  await appendFile(paths.transcript, `${JSON.stringify(item)}\n`, { mode: 0o600 });
}

/** The transcript, oldest first; a later line with the same id replaces the earlier one. */
export async function readTranscript(paths: SessionPaths): Promise<TranscriptItem[]> {
  const text = await readFile(paths.transcript, 'utf8').catch(() => '');
  const items = new Map<string, TranscriptItem>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const parsed = transcriptItemSchema.safeParse(JSON.parse(line));
      if (parsed.success) items.set(parsed.data.id, parsed.data);
    } catch {
      // a torn last line after a crash
    }
  }
  return [...items.values()];
}

/** Every saved session, for start-up: `{groupFolder, session}` with its metadata. */
export async function loadAllSessions(
  dataDir: string,
): Promise<{ groupFolder: string; session: Session }[]> {
  const root = join(dataDir, SESSIONS_DIR);
  const out: { groupFolder: string; session: Session }[] = [];
  for (const groupFolder of await readdir(root).catch(() => [] as string[])) {
    const groupDir = join(root, groupFolder);
    if (!(await stat(groupDir).catch(() => null))?.isDirectory()) continue;
    for (const id of await readdir(groupDir).catch(() => [] as string[])) {
      const paths = sessionPaths(dataDir, groupFolder, id);
      try {
        const parsed = sessionSchema.safeParse(JSON.parse(await readFile(paths.meta, 'utf8')));
        if (parsed.success) out.push({ groupFolder, session: parsed.data });
      } catch {
        // a folder made by ipc/directories alone, or a torn file: nothing to show
      }
    }
  }
  return out;
}

/**
 * Follow-ups in ipc/input/ the runner has not taken (not the job, not `_close`, not temp files);
 * none when the agent replaced the folder with a link (its target is not looked at).
 */
export async function unreadInput(dir: string): Promise<string[]> {
  const folder = await openFolder(dir);
  if (!folder) return [];
  try {
    return (await readdir(folder.path('')).catch(() => [] as string[])).filter(
      (n) => n !== 'job.json' && n !== '_close' && !n.startsWith('.'),
    );
  } finally {
    await folder.close();
  }
}
