import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { GroupsService } from '../../src/main/services/groups/groups-service';
import { IpcWatcher, type IpcSessionSink } from '../../src/main/services/sessions/ipc-watcher';
import type {
  MessageRouter,
  RoutedMessage,
  RoutedTask,
  TaskRouter,
} from '../../src/main/services/sessions/message-router';
import {
  ensureSessionDirs,
  newSessionId,
  sessionPaths,
  type SessionPaths,
} from '../../src/main/services/sessions/session-files';
import { auditQuerySchema, type AuditEntry } from '../../src/shared/schemas/audit';
import type { Group } from '../../src/shared/schemas/groups';
import type { TranscriptDraft } from '../../src/shared/schemas/sessions';
import { startMountService } from './mount-service';
import { silentLogger, tempDir } from './temp';

export type IpcStep = Extract<TranscriptDraft, { kind: 'message' | 'task' }>;

/** An in-memory session store: what a session recorded, by `{folder}/{session}`. */
export class MemorySink implements IpcSessionSink {
  readonly items = new Map<string, TranscriptDraft[]>();
  /** Set to make `record` throw (a full disk, say). */
  failRecord = false;

  container(groupFolder: string, session: string): string | null {
    return `aigo-${groupFolder}-${session}`;
  }

  async record(groupFolder: string, session: string, item: TranscriptDraft): Promise<void> {
    if (this.failRecord) throw new Error('disk full');
    const key = `${groupFolder}/${session}`;
    const list = this.items.get(key) ?? [];
    // Same id replaces, as in transcript.jsonl.
    this.items.set(key, [...list.filter((i) => i.id !== item.id), item]);
  }

  async handled(groupFolder: string, session: string, messageId: string): Promise<boolean> {
    return (this.items.get(`${groupFolder}/${session}`) ?? []).some(
      (i) => (i.kind === 'message' || i.kind === 'task') && i.messageId === messageId,
    );
  }

  /** The session's message and task steps, oldest first. */
  of(groupFolder: string, session: string): IpcStep[] {
    return (this.items.get(`${groupFolder}/${session}`) ?? []).filter(
      (i): i is IpcStep => i.kind === 'message' || i.kind === 'task',
    );
  }
}

/** Records every hand-off; `failNext` makes the next n calls throw (a channel that is down). */
export class RecordingRouter implements MessageRouter, TaskRouter {
  readonly messages: RoutedMessage[] = [];
  readonly tasks: RoutedTask[] = [];
  failNext = 0;
  calls = 0;
  /** Chats whose channel is down: delivering to them throws until removed. */
  readonly down = new Set<string>();

  async deliver(message: RoutedMessage) {
    this.calls += 1;
    if (this.down.has(message.chatJid)) throw new Error(`${message.chatJid} is down`);
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('channel down');
    }
    this.messages.push(message);
    return { status: 'delivered' as const, detail: null };
  }

  async handle(task: RoutedTask) {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('scheduler down');
    }
    this.tasks.push(task);
    return { status: 'kept' as const, detail: 'scheduled' };
  }

  messagesOf(session: string): RoutedMessage[] {
    return this.messages.filter((m) => m.session === session);
  }

  tasksOf(session: string): RoutedTask[] {
    return this.tasks.filter((t) => t.session === session);
  }
}

/**
 * A real IpcWatcher over a temp DATA_DIR, with real groups (main, `team` owning tg:111,
 * `other` owning tg:222), a real audit log and event bus; the session store and the routers
 * are small in-memory stand-ins.
 */
export async function startIpcHarness(options: { start?: boolean } = {}) {
  const temp = await tempDir('aigo-ipc-');
  const dataDir = join(temp.path, 'data');
  const home = join(temp.path, 'home');
  await mkdir(dataDir, { recursive: true });
  await mkdir(home, { recursive: true });
  const mounts = await startMountService({
    dataDir,
    home,
    auditDir: join(temp.path, 'mount-audit'),
  });
  const bus = new EventBus();
  const audit = new AuditLog({ dir: join(dataDir, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  const groups = new GroupsService({
    dataDir,
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    mounts: mounts.service,
    activeSessions: () => 0,
  });
  await groups.start();
  const main = groups.main();
  const team = await groups.create({ name: 'team', chatJids: ['tg:111'] });
  const other = await groups.create({ name: 'other', chatJids: ['tg:222'] });

  const sink = new MemorySink();
  const router = new RecordingRouter();
  const handled: string[] = [];
  let watcher: IpcWatcher | null = null;

  const makeWatcher = () =>
    new IpcWatcher({
      dataDir,
      groups,
      sessions: sink,
      router,
      tasks: router,
      audit,
      logger: silentLogger(),
      retryDelayMs: () => 25,
      onHandled: (origin) => handled.push(`${origin.session}/${origin.kind}/${origin.name}`),
    });

  /** A session folder as SessionService makes it. */
  const session = async (group: Group): Promise<SessionPaths & { id: string; group: Group }> => {
    const id = newSessionId();
    const paths = sessionPaths(dataDir, group.folder, id);
    await ensureSessionDirs(paths);
    return { ...paths, id, group };
  };

  let counter = 0;
  /** As the agent runner writes: a temp name first, then a rename. Returns the file name. */
  const write = async (
    dir: string,
    body: unknown,
    name = `${Date.now()}-${(counter++).toString(16).padStart(6, '0')}.json`,
  ): Promise<string> => {
    const temp = join(dir, `.${name}.tmp`);
    await writeFile(temp, typeof body === 'string' ? body : JSON.stringify(body));
    await rename(temp, join(dir, name));
    return name;
  };

  const auditEntries = async (): Promise<AuditEntry[]> =>
    (await audit.query(auditQuerySchema.parse({ category: 'ipc', limit: 1000 }))).entries;

  const harness = {
    dataDir,
    home,
    temp: temp.path,
    groups,
    audit,
    bus,
    sink,
    router,
    handled,
    main,
    team,
    other,
    session,
    write,
    auditEntries,
    list: (dir: string) => readdir(dir).catch(() => [] as string[]),
    get watcher(): IpcWatcher {
      if (!watcher) throw new Error('no watcher started');
      return watcher;
    },
    async startWatcher(): Promise<IpcWatcher> {
      watcher = makeWatcher();
      await watcher.start();
      return watcher;
    },
    async stopWatcher(): Promise<void> {
      await watcher?.stop();
      watcher = null;
    },
    async stop(): Promise<void> {
      await watcher?.stop();
      watcher = null;
      await groups.stop();
      await audit.stop();
      await mounts.stop();
      await temp.cleanup();
    },
  };
  if (options.start !== false) await harness.startWatcher();
  return harness;
}

export type IpcHarness = Awaited<ReturnType<typeof startIpcHarness>>;
