import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { Group } from '../../../shared/schemas/groups';
import type { TranscriptDraft } from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { GroupsService } from '../groups/groups-service';
import { authorizeMessage, authorizeTask } from './ipc-authorizer';
import { claimableName, Malformed, openFolder, readRegularFile } from './ipc-files';
import { outgoingMessageSchema, taskFileSchema, type IpcOrigin } from './ipc-messages';
import type { MessageRouter, TaskRouter } from './message-router';
import { SESSIONS_DIR, sessionPaths } from './session-files';

/** What the watcher needs of a session: where to record, and what it recorded already. */
export interface IpcSessionSink {
  container(groupFolder: string, session: string): string | null;
  /** Resolves once the step is on disk. */
  record(groupFolder: string, session: string, item: TranscriptDraft): Promise<void>;
  handled(groupFolder: string, session: string, messageId: string): Promise<boolean>;
}

export interface IpcWatcherDeps {
  dataDir: string;
  groups: GroupsService;
  sessions: IpcSessionSink;
  router: MessageRouter;
  tasks: TaskRouter;
  audit: AuditLog;
  logger: Logger;
  /** Delay before retry n (1-based) while a receiver is down. */
  retryDelayMs?: (attempt: number) => number;
  /** Told of every hand-off (the benchmark measures pickup with it). */
  onHandled?: (origin: IpcOrigin) => void;
}

/**
 * Look-ups of a new session's messages/ and tasks/ after chokidar reports it (`rescanSoon`). The
 * last one covers a loaded machine, where chokidar took over a second to start watching a new
 * folder (a burst of 200 files into four new sessions under a full test run lost 50 that way).
 */
const RESCAN_DELAYS_MS = [100, 1000, 5000];

/** What the transcript knows a file by: a message and a task may share a file name. */
export function ipcMessageId(origin: IpcOrigin): string {
  return origin.kind === 'messages' ? origin.name : `tasks/${origin.name}`;
}

/**
 * Picks up what agents write to `ipc/messages/` and `ipc/tasks/` within milliseconds of the
 * rename (file events, not a polling tick). Each file is claimed by an atomic rename into the
 * session's host-only `claimed/` folder, parsed, authorized by the folder it came from, handed
 * on, and removed only after the hand-off is on disk: a crash at any point leaves it claimed,
 * and the start-up scan finishes it without delivering it twice.
 *
 * The agent owns everything under `ipc/`: its files may be links, FIFOs or huge, its folders
 * may be swapped for links to host folders. Nothing there is followed, waited on or read
 * beyond `MAX_IPC_FILE_BYTES`.
 */
export class IpcWatcher {
  private watcher: FSWatcher | null = null;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly attempts = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  /** Pick-ups and look-ups under way: `stop()` lets them finish. */
  private readonly running = new Set<Promise<void>>();
  /** Pending look-ups of new folders, by delay and session. */
  private readonly rescans = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: IpcWatcherDeps) {}

  private get root(): string {
    return join(this.deps.dataDir, SESSIONS_DIR);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.resumeClaimed();
    const watcher = watch(this.root, {
      ignoreInitial: false, // files written while aigo was not running are picked up now
      followSymlinks: false, // a link the agent made never leads the watcher out of its folder
      depth: 4,
      ignored: (path, stats) => !this.relevant(path, stats?.isFile() ?? null),
    });
    this.watcher = watcher;
    const pickUp = (path: string) => this.track(this.pickUp(path));
    watcher.on('add', pickUp);
    // A file made again within 100 ms of its claim is reported as a change (chokidar's `atomic`).
    watcher.on('change', pickUp);
    watcher.on('addDir', (path) => this.rescanSoon(path));
    watcher.on('error', (error) => this.deps.logger.error({ err: error }, 'IPC watcher error'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  /** Stops watching, drops pending retries, and waits for hand-offs under way to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [...this.retries.values(), ...this.rescans.values()]) clearTimeout(timer);
    this.retries.clear();
    this.rescans.clear();
    await this.watcher?.close();
    this.watcher = null;
    while (this.running.size) await Promise.all([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'IPC pick-up failed'))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** sessions/{group}/{session}/ipc/{messages|tasks}/{file} and the folders leading there. */
  private relevant(path: string, isFile: boolean | null): boolean {
    const parts = relative(this.root, path).split(sep);
    if (parts[0] === '' || parts[0] === '..') return parts[0] === '';
    if (parts.length <= 2) return isFile !== true;
    if (parts[2] !== 'ipc') return false;
    if (parts.length === 3) return isFile !== true;
    if (parts[3] !== 'messages' && parts[3] !== 'tasks') return false;
    if (parts.length === 4) return isFile !== true;
    const name = parts[4] as string;
    return parts.length === 5 && !name.startsWith('.') && name.endsWith('.json');
  }

  /**
   * chokidar reads a new folder before it watches it, so a file renamed into it in between
   * would wait for the next start (a burst into a new session lost whole folders this way).
   * When a session, its ipc/ or its messages/ or tasks/ folder appears, both folders are
   * looked at three more times (once per new folder: this is no polling).
   */
  private rescanSoon(dir: string): void {
    const parts = relative(this.root, dir).split(sep);
    if (parts.length < 2 || parts.length > 4 || !this.relevant(dir, false)) return;
    const session = join(this.root, parts[0] as string, parts[1] as string);
    for (const delay of RESCAN_DELAYS_MS) {
      const key = `${delay}:${session}`;
      if (this.rescans.has(key)) continue;
      const timer = setTimeout(() => {
        this.rescans.delete(key);
        if (this.stopped) return;
        for (const kind of ['messages', 'tasks'])
          this.track(this.rescan(join(session, 'ipc', kind)));
      }, delay);
      timer.unref();
      this.rescans.set(key, timer);
    }
  }

  private async rescan(dir: string): Promise<void> {
    if (!(await lstat(dir).catch(() => null))?.isDirectory()) return; // never a link's target
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      if (this.relevant(path, null)) await this.pickUp(path);
    }
  }

  private async pickUp(path: string): Promise<void> {
    if (this.stopped) return;
    const parts = relative(this.root, path).split(sep);
    if (parts.length !== 5 || !this.relevant(path, null)) return;
    const kind = parts[3] as IpcOrigin['kind'];
    const file = parts[4] as string;
    const origin: IpcOrigin = {
      groupFolder: parts[0] as string,
      session: parts[1] as string,
      kind,
      name: claimableName(kind, file),
    };
    const claimed = this.claimedPath(origin);
    if (await this.claim(origin, file, claimed)) await this.process(origin, claimed);
  }

  private claimedPath(origin: IpcOrigin): string {
    const paths = sessionPaths(this.deps.dataDir, origin.groupFolder, origin.session);
    return join(paths.claimed, `${origin.kind}--${origin.name}`);
  }

  /**
   * Moves `file` out of the agent's reach into claimed/; false when there was nothing to claim
   * (gone already: claimed by an earlier event, or removed by the agent). The folder is opened
   * without following links and, on Linux, the file is moved through that open folder: a
   * messages/ swapped for a link to a host folder, before or during the move, moves nothing of
   * the host's.
   */
  private async claim(origin: IpcOrigin, file: string, claimed: string): Promise<boolean> {
    const paths = sessionPaths(this.deps.dataDir, origin.groupFolder, origin.session);
    const ipc = await lstat(paths.ipc).catch(() => null);
    if (!ipc?.isDirectory()) return false;
    const folder = await openFolder(origin.kind === 'messages' ? paths.messages : paths.tasks);
    if (!folder) return false;
    try {
      const source = folder.path(file);
      await mkdir(paths.claimed, { recursive: true, mode: 0o700 });
      if (
        await lstat(claimed).then(
          () => true,
          () => false,
        )
      ) {
        // One of this name is still being handed on: a second must not replace it.
        await this.reject(origin, source, 'a file of this name is still being handed on');
        return false;
      }
      await rename(source, claimed);
      return true;
    } catch {
      return false;
    } finally {
      await folder.close();
    }
  }

  /** Files claimed before a crash or a stop: finish each one. */
  private async resumeClaimed(): Promise<void> {
    for (const groupFolder of await readdir(this.root).catch(() => [] as string[]))
      for (const session of await readdir(join(this.root, groupFolder)).catch(
        () => [] as string[],
      )) {
        const dir = sessionPaths(this.deps.dataDir, groupFolder, session).claimed;
        for (const file of await readdir(dir).catch(() => [] as string[])) {
          const match = /^(messages|tasks)--(.+)$/.exec(file);
          if (!match) continue;
          const origin: IpcOrigin = {
            groupFolder,
            session,
            kind: match[1] as IpcOrigin['kind'],
            name: match[2] as string,
          };
          await this.process(origin, join(dir, file));
        }
      }
  }

  private async process(origin: IpcOrigin, claimed: string): Promise<void> {
    if (this.inFlight.has(claimed) || this.stopped) return;
    this.inFlight.add(claimed);
    try {
      const group = this.deps.groups.byFolder(origin.groupFolder);
      if (!group) throw new Malformed(`no group uses the folder "${origin.groupFolder}"`);
      const body = await readRegularFile(claimed);
      if (origin.kind === 'messages') await this.message(origin, group, body);
      else await this.task(origin, group, body);
      await rm(claimed, { force: true });
      this.attempts.delete(claimed);
      this.deps.onHandled?.(origin);
    } catch (error) {
      if (error instanceof Malformed) {
        this.attempts.delete(claimed);
        await this.reject(origin, claimed, error.message);
      } else this.retryLater(origin, claimed, error as Error);
    } finally {
      this.inFlight.delete(claimed);
    }
  }

  private async message(origin: IpcOrigin, group: Group, body: unknown): Promise<void> {
    const parsed = outgoingMessageSchema.safeParse(body);
    if (!parsed.success)
      throw new Malformed(`not a message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { chatJid, text } = parsed.data;
    const { sessions } = this.deps;
    const messageId = ipcMessageId(origin);
    if (await sessions.handled(origin.groupFolder, origin.session, messageId)) return;
    const base = { id: `ipc-${messageId}`, kind: 'message' as const, messageId, chatJid, text };
    const decision = authorizeMessage(group, parsed.data);
    if (!decision.allowed) {
      this.violation(origin, group.name, decision.reason, chatJid, {
        targetJid: chatJid,
        type: 'message',
      });
      await sessions.record(origin.groupFolder, origin.session, {
        ...base,
        status: 'refused',
        detail: decision.reason,
      });
      return;
    }
    const result = await this.deps.router.deliver({
      id: messageId,
      group,
      session: origin.session,
      chatJid,
      text,
    });
    await sessions.record(origin.groupFolder, origin.session, {
      ...base,
      status: result.status,
      detail: result.detail,
    });
  }

  private async task(origin: IpcOrigin, group: Group, body: unknown): Promise<void> {
    const parsed = taskFileSchema.safeParse(body);
    if (!parsed.success)
      throw new Malformed(`not a task: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const task = parsed.data;
    const { sessions } = this.deps;
    const messageId = ipcMessageId(origin);
    if (await sessions.handled(origin.groupFolder, origin.session, messageId)) return;
    const owner = task.group === undefined ? group : this.deps.groups.find(task.group);
    const summary = task.name ?? task.prompt?.slice(0, 80) ?? task.taskId ?? task.type;
    const base = {
      id: `ipc-${messageId}`,
      kind: 'task' as const,
      messageId,
      taskType: task.type,
      summary,
    };
    const decision = authorizeTask(group, task, owner);
    if (!decision.allowed) {
      const targetJid = task.chatJid ?? task.targetJid ?? null;
      this.violation(origin, group.name, decision.reason, task.group ?? targetJid ?? task.type, {
        type: task.type,
        targetGroup: task.group ?? null,
        ...(targetJid !== null ? { targetJid } : {}),
      });
      await sessions.record(origin.groupFolder, origin.session, {
        ...base,
        status: 'refused',
        detail: decision.reason,
      });
      return;
    }
    // Identity from the folder: a task is the sender's unless main names another group.
    const result = await this.deps.tasks.handle({
      id: messageId,
      group: owner ?? group,
      session: origin.session,
      task: { ...task, group: (owner ?? group).name, sessionId: origin.session },
    });
    await sessions.record(origin.groupFolder, origin.session, {
      ...base,
      status: 'kept',
      detail: result.detail,
    });
  }

  /**
   * A refused attempt. An agent can repeat one as fast as it writes files: repeats of one
   * session and target within the audit window are counted into one summary entry.
   */
  private violation(
    origin: IpcOrigin,
    group: string,
    reason: string,
    target: string,
    details: Record<string, unknown>,
  ): void {
    const container = this.deps.sessions.container(origin.groupFolder, origin.session);
    this.deps.audit.record({
      severity: 'violation',
      category: 'ipc',
      group,
      ...(container ? { container } : {}),
      message: `Blocked: ${reason}`,
      details: { session: origin.session, file: origin.name, ...details },
      coalesceKey: `ipc-violation:${origin.groupFolder}:${origin.session}:${target}`,
    });
  }

  /** Sets `from` aside in the session's errors/ (host-only) and says why. */
  private async reject(origin: IpcOrigin, from: string, reason: string): Promise<void> {
    const { errors } = sessionPaths(this.deps.dataDir, origin.groupFolder, origin.session);
    try {
      await mkdir(errors, { recursive: true, mode: 0o700 });
      await rename(from, join(errors, `${origin.kind}--${origin.name}`));
    } catch (error) {
      // Gone already (an earlier event set it aside): nothing happened, nothing to report.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await rm(from, { force: true }).catch(() => undefined);
    }
    const group = this.deps.groups.byFolder(origin.groupFolder);
    const container = this.deps.sessions.container(origin.groupFolder, origin.session);
    this.deps.audit.record({
      severity: 'warning',
      category: 'ipc',
      ...(group ? { group: group.name } : {}),
      ...(container ? { container } : {}),
      message: `IPC file set aside in errors/: ${reason}`,
      details: { group: origin.groupFolder, session: origin.session, file: origin.name },
      coalesceKey: `ipc-malformed:${origin.groupFolder}:${origin.session}`,
    });
  }

  private retryLater(origin: IpcOrigin, claimed: string, error: Error): void {
    if (this.stopped || this.retries.has(claimed)) return;
    const attempt = (this.attempts.get(claimed) ?? 0) + 1;
    this.attempts.set(claimed, attempt);
    const delay = this.deps.retryDelayMs?.(attempt) ?? Math.min(60_000, 1000 * 2 ** (attempt - 1));
    this.deps.logger.warn(
      { err: error, file: origin.name, attempt, delay },
      'IPC hand-off failed; will retry',
    );
    const timer = setTimeout(() => {
      this.retries.delete(claimed);
      if (!this.stopped) this.track(this.process(origin, claimed));
    }, delay);
    timer.unref();
    this.retries.set(claimed, timer);
  }
}
