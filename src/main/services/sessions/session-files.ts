import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  sessionSchema,
  transcriptItemSchema,
  type Session,
  type TranscriptItem,
} from '../../../shared/schemas/sessions';
import { writeFileAtomic } from '../fs/atomic-write';

export const SESSIONS_DIR = 'sessions';

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

/** Creates what is missing (idempotent); `created` says whether anything was. */
export async function ensureSessionDirs(paths: SessionPaths): Promise<boolean> {
  let created = false;
  for (const dir of [
    paths.input,
    paths.messages,
    paths.tasks,
    paths.state,
    paths.claimed,
    paths.errors,
  ]) {
    const made = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (made !== undefined) created = true;
  }
  // The agent runs as uid 1000: it must write its messages and read its input.
  if (created && process.platform !== 'win32') {
    const { chmod } = await import('node:fs/promises');
    for (const dir of [paths.ipc, paths.input, paths.messages, paths.tasks, paths.state])
      await chmod(dir, 0o777);
  }
  return created;
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

/** Follow-ups in ipc/input/ the runner has not taken (not the job, not `_close`, not temp files). */
export async function unreadInput(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n !== 'job.json' && n !== '_close' && !n.startsWith('.'),
  );
}
