import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { TranscriptDraft } from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { GroupsService } from '../groups/groups-service';
import { authorizeMessage, authorizeTask } from './ipc-authorizer';
import {
  MAX_IPC_FILE_BYTES,
  outgoingMessageSchema,
  taskFileSchema,
  type IpcOrigin,
} from './ipc-messages';
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

class Malformed extends Error {}

/**
 * Picks up what agents write to `ipc/messages/` and `ipc/tasks/` within milliseconds of the
 * rename (file events, not a polling tick). Each file is claimed by an atomic rename into the
 * session's host-only `claimed/` folder, parsed, authorized by the folder it came from, handed
 * on, and removed only after the hand-off is on disk: a crash at any point leaves it claimed,
 * and the start-up scan finishes it without delivering it twice.
 */
export class IpcWatcher {
  private watcher: FSWatcher | null = null;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: IpcWatcherDeps) {}

  private get root(): string {
    return join(this.deps.dataDir, SESSIONS_DIR);
  }

  async start(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.resumeClaimed();
    this.watcher = watch(this.root, {
      ignoreInitial: false, // files written while aigo was not running are picked up now
      depth: 4,
      ignored: (path, stats) => !this.relevant(path, stats?.isFile() ?? null),
    });
    this.watcher.on('add', (path) => void this.pickUp(path));
    this.watcher.on('error', (error) =>
      this.deps.logger.error({ err: error }, 'IPC watcher error'),
    );
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    await this.watcher?.close();
    this.watcher = null;
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

  private async pickUp(path: string): Promise<void> {
    const parts = relative(this.root, path).split(sep);
    if (parts.length !== 5) return;
    const origin: IpcOrigin = {
      groupFolder: parts[0] as string,
      session: parts[1] as string,
      kind: parts[3] as IpcOrigin['kind'],
      name: basename(path),
    };
    const claimed = this.claimedPath(origin);
    try {
      await rename(path, claimed);
    } catch {
      return; // gone already: claimed by an earlier event, or removed by the agent
    }
    await this.process(origin, claimed);
  }

  private claimedPath(origin: IpcOrigin): string {
    const paths = sessionPaths(this.deps.dataDir, origin.groupFolder, origin.session);
    return join(paths.claimed, `${origin.kind}--${origin.name}`);
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
      this.retries.delete(claimed);
      this.deps.onHandled?.(origin);
    } catch (error) {
      if (error instanceof Malformed) await this.reject(origin, claimed, error.message);
      else this.retryLater(origin, claimed, error as Error);
    } finally {
      this.inFlight.delete(claimed);
    }
  }

  private async message(
    origin: IpcOrigin,
    group: Parameters<typeof authorizeMessage>[0],
    body: unknown,
  ): Promise<void> {
    const parsed = outgoingMessageSchema.safeParse(body);
    if (!parsed.success)
      throw new Malformed(`not a message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { chatJid, text } = parsed.data;
    const { sessions } = this.deps;
    if (await sessions.handled(origin.groupFolder, origin.session, origin.name)) return;
    const base = {
      id: `ipc-${origin.name}`,
      kind: 'message' as const,
      messageId: origin.name,
      chatJid,
      text,
    };
    const decision = authorizeMessage(group, parsed.data);
    if (!decision.allowed) {
      this.violation(origin, group.name, decision.reason, { targetJid: chatJid, type: 'message' });
      await sessions.record(origin.groupFolder, origin.session, {
        ...base,
        status: 'refused',
        detail: decision.reason,
      });
      return;
    }
    const result = await this.deps.router.deliver({
      id: origin.name,
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

  private async task(
    origin: IpcOrigin,
    group: Parameters<typeof authorizeMessage>[0],
    body: unknown,
  ): Promise<void> {
    const parsed = taskFileSchema.safeParse(body);
    if (!parsed.success)
      throw new Malformed(`not a task: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const task = parsed.data;
    const { sessions } = this.deps;
    if (await sessions.handled(origin.groupFolder, origin.session, origin.name)) return;
    const owner = task.group === undefined ? group : this.deps.groups.find(task.group);
    const summary = task.name ?? task.prompt?.slice(0, 80) ?? task.taskId ?? task.type;
    const base = {
      id: `ipc-${origin.name}`,
      kind: 'task' as const,
      messageId: origin.name,
      taskType: task.type,
      summary,
    };
    const decision = authorizeTask(group, task, owner);
    if (!decision.allowed) {
      this.violation(origin, group.name, decision.reason, {
        type: task.type,
        targetGroup: task.group ?? null,
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
      id: origin.name,
      group: owner ?? group,
      session: origin.session,
      task: { ...task, group: (owner ?? group).name },
    });
    await sessions.record(origin.groupFolder, origin.session, {
      ...base,
      status: 'kept',
      detail: result.detail,
    });
  }

  private violation(
    origin: IpcOrigin,
    group: string,
    reason: string,
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
    });
  }

  private async reject(origin: IpcOrigin, claimed: string, reason: string): Promise<void> {
    const { errors } = sessionPaths(this.deps.dataDir, origin.groupFolder, origin.session);
    await mkdir(errors, { recursive: true });
    await rename(claimed, join(errors, `${origin.kind}--${origin.name}`)).catch(() =>
      rm(claimed, { force: true }),
    );
    this.deps.audit.record({
      severity: 'warning',
      category: 'ipc',
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
      void this.process(origin, claimed);
    }, delay);
    timer.unref();
    this.retries.set(claimed, timer);
  }

  private readonly attempts = new Map<string, number>();
}

/** Reads a claimed file: a regular file only (never a link, FIFO or device), bounded in size. */
async function readRegularFile(path: string): Promise<unknown> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new Malformed(
      `cannot open it (${(error as NodeJS.ErrnoException).code ?? 'error'}); links are not followed`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Malformed('not a regular file');
    if (info.size > MAX_IPC_FILE_BYTES)
      throw new Malformed(`${info.size} bytes, more than the ${MAX_IPC_FILE_BYTES} allowed`);
    const text = (await handle.readFile()).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Malformed('not valid JSON');
    }
  } finally {
    await handle.close();
  }
}
