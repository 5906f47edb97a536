import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../../../shared/schemas/sessions';
import type { SessionPaths } from './session-files';
import { unreadInput } from './session-files';

/** The guide's two IPC problems, as the app can see them for itself. */
export interface IpcProblem {
  kind: 'input_unread' | 'outgoing_stuck' | 'outgoing_errors';
  session: string;
  group: string;
  count: number;
  /** The folder to look in. */
  folder: string;
}

/** A claimed file older than this was not handed on: its receiver is down or failing. */
const STUCK_AFTER_MS = 30_000;

export async function findIpcProblems(
  sessions: { session: Session; paths: SessionPaths }[],
  now = Date.now(),
): Promise<IpcProblem[]> {
  const problems: IpcProblem[] = [];
  for (const { session, paths } of sessions) {
    const base = { session: session.id, group: session.groupName };
    // A squad's planner or task is done when it ends: notes it did not read are kept in the
    // squad for the tasks after it, so they are not "waiting" (resuming it would be wrong).
    if (session.state === 'ended' && session.trigger !== 'squad') {
      const unread = await unreadInput(paths.input);
      if (unread.length)
        problems.push({ ...base, kind: 'input_unread', count: unread.length, folder: paths.input });
    }
    let stuck = 0;
    for (const name of await readdir(paths.claimed).catch(() => [] as string[])) {
      const info = await stat(join(paths.claimed, name)).catch(() => null);
      if (info && now - info.mtimeMs > STUCK_AFTER_MS) stuck++;
    }
    // Files the watcher never picked up (it should within milliseconds). The agent owns these
    // folders: one it replaced with a link is not looked into (the watcher ignores it too).
    for (const dir of [paths.messages, paths.tasks]) {
      if (!(await lstat(dir).catch(() => null))?.isDirectory()) continue;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.startsWith('.')) continue;
        const info = await lstat(join(dir, name)).catch(() => null);
        if (info && now - info.mtimeMs > STUCK_AFTER_MS) stuck++;
      }
    }
    if (stuck)
      problems.push({ ...base, kind: 'outgoing_stuck', count: stuck, folder: paths.claimed });
    const errors = (await readdir(paths.errors).catch(() => [] as string[])).length;
    if (errors)
      problems.push({ ...base, kind: 'outgoing_errors', count: errors, folder: paths.errors });
  }
  return problems;
}
