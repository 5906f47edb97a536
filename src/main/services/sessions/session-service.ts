import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import type { Group } from '../../../shared/schemas/groups';
import type {
  RunRecord,
  RunStatus,
  Session,
  SessionDetail,
  SessionState,
  TranscriptDraft,
  TranscriptItem,
} from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { writeFileAtomic } from '../fs/atomic-write';
import type { GroupsService } from '../groups/groups-service';
import type { AgentContainer } from './docker-engine';
import { FairQueue } from './fair-queue';
import type { IpcSessionSink } from './ipc-watcher';
import { launch, type LaunchDeps } from './launcher';
import type { RunHistory } from './run-history';
import { RunnerOutput } from './runner-output';
import {
  appendTranscript,
  ensureSessionDirs,
  loadAllSessions,
  newSessionId,
  readTranscript,
  sessionPaths,
  writeSessionMeta,
  type SessionPaths,
} from './session-files';

export interface SessionServiceDeps extends LaunchDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  groups: GroupsService;
  runs: RunHistory;
  /** The agent image to run, and why not when it cannot run yet. */
  image: () => { ref: string; problem: string | null };
  runtimeProblem: () => string | null;
  maxConcurrent: () => number;
  /** How long a closed session may finish its step before its container is stopped. */
  closeGraceMs?: number;
}

interface Entry {
  session: Session;
  paths: SessionPaths;
  /** What the next run starts with (the prompt, or the follow-up that resumes it). */
  nextPrompt: string | null;
  container: AgentContainer | null;
  run: { id: string; startedAt: number; mounts: RunRecord['mounts']; output: RunnerOutput } | null;
  stopRequested: boolean;
  timers: NodeJS.Timeout[];
  writes: Promise<void>;
}

const ACTIVE: SessionState[] = ['queued', 'starting', 'running', 'idle', 'stopping'];

/**
 * Agent sessions: each one a folder under DATA_DIR/sessions/{group}/{session}/ and, while it
 * works, one container. Starts go through a fair queue with a global limit; steering is a file
 * in the session's ipc/input/; every run lands in the run history.
 */
export class SessionService {
  private readonly entries = new Map<string, Entry>();
  private readonly queue = new FairQueue();
  private running = 0;
  private stopped = false;

  constructor(private readonly deps: SessionServiceDeps) {}

  async start(): Promise<void> {
    for (const { groupFolder, session } of await loadAllSessions(this.deps.dataDir)) {
      const entry = this.entry(session, sessionPaths(this.deps.dataDir, groupFolder, session.id));
      if (ACTIVE.includes(session.state)) {
        // aigo stopped (or was killed) while this session ran: its container is an orphan.
        entry.session = {
          ...session,
          state: 'ended',
          queuePosition: null,
          lastStatus: 'failed',
          error: 'aigo stopped while this session was running; send a message to resume it.',
        };
        await this.persist(entry);
      }
    }
  }

  /** Removes containers a killed aigo left behind; call once the runtime answers. */
  async removeOrphans(): Promise<string[]> {
    const removed = await this.deps.engine.removeOrphans(this.deps.installId);
    for (const name of removed)
      this.deps.audit.record({
        severity: 'info',
        category: 'container',
        message: `Removed orphaned agent container ${name} (left by an earlier aigo)`,
        details: { container: name },
      });
    return removed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.entries.values()) {
      entry.timers.forEach(clearTimeout);
      if (entry.container) {
        entry.stopRequested = true;
        await entry.container.stop(2);
      }
    }
    await Promise.all([...this.entries.values()].map((e) => e.writes));
  }

  list(filter: { group?: string; state?: SessionState; limit?: number } = {}): Session[] {
    const group = filter.group ? this.deps.groups.find(filter.group) : null;
    return [...this.entries.values()]
      .map((e) => this.view(e))
      .filter((s) => !filter.group || s.group === (group?.id ?? filter.group))
      .filter((s) => !filter.state || s.state === filter.state)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, filter.limit ?? 100);
  }

  async get(id: string): Promise<SessionDetail> {
    const entry = this.require(id);
    await entry.writes;
    return { ...this.view(entry), transcript: await readTranscript(entry.paths) };
  }

  /** Sessions with their folders, for health checks. */
  folders(): { session: Session; paths: SessionPaths }[] {
    return [...this.entries.values()].map((e) => ({ session: this.view(e), paths: e.paths }));
  }

  activeCount(groupId: string): number {
    return [...this.entries.values()].filter(
      (e) => e.session.group === groupId && ACTIVE.includes(e.session.state),
    ).length;
  }

  /** `POST /api/v1/container/ipc/directories`: the folders exist afterwards, whoever asked. */
  async ipcDirectories(groupRef: string, session: string) {
    const group = this.deps.groups.get(groupRef);
    const paths = sessionPaths(this.deps.dataDir, group.folder, session);
    const created = await ensureSessionDirs(paths);
    return {
      group: group.name,
      session,
      root: paths.ipc,
      input: paths.input,
      messages: paths.messages,
      tasks: paths.tasks,
      created,
    };
  }

  async create(input: {
    group: string;
    prompt: string;
    trigger: Session['trigger'];
    chatJid?: string | undefined;
  }): Promise<Session> {
    if (this.stopped) throw new AppError('UNREACHABLE', 'aigo is stopping.');
    const group = this.deps.groups.get(input.group);
    const id = newSessionId();
    const paths = sessionPaths(this.deps.dataDir, group.folder, id);
    await ensureSessionDirs(paths);
    const now = new Date().toISOString();
    const entry = this.entry(
      {
        id,
        group: group.id,
        groupName: group.name,
        title: input.prompt.replace(/\s+/g, ' ').slice(0, 80),
        state: 'queued',
        trigger: input.trigger,
        chatJid: input.chatJid ?? null,
        createdAt: now,
        updatedAt: now,
        container: null,
        queuePosition: null,
        runs: 0,
        lastStatus: null,
        error: null,
        progress: { turn: 0, toolCalls: 0, activity: null },
      },
      paths,
    );
    this.addItem(entry, { id: `${id}-prompt`, kind: 'user', text: input.prompt, source: 'prompt' });
    this.enqueue(entry, input.prompt);
    this.deps.audit.record({
      severity: 'info',
      category: 'session',
      group: group.name,
      message: `Session ${id} started (${input.trigger})`,
      details: { session: id, trigger: input.trigger },
    });
    return this.view(entry);
  }

  /** Steers a live session (a file in its ipc/input/), or resumes an ended one with the text. */
  async message(id: string, text: string): Promise<Session> {
    const entry = this.require(id);
    const itemId = `${id}-u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    if (entry.session.state === 'ended') {
      this.addItem(entry, { id: itemId, kind: 'user', text, source: 'prompt' });
      entry.session.error = null;
      this.enqueue(entry, text);
      return this.view(entry);
    }
    if (entry.session.state === 'stopping')
      throw new AppError(
        'CONFLICT',
        'The session is stopping; send the message once it has ended to resume it.',
      );
    await writeFileAtomic(
      join(entry.paths.input, `${Date.now()}-${itemId}.json`),
      JSON.stringify({ type: 'message', text }),
      0o644,
    );
    this.addItem(entry, { id: itemId, kind: 'user', text, source: 'steering' });
    return this.view(entry);
  }

  /** Asks the agent to finish its step (`_close`), then stops the container after a grace period. */
  async close(id: string): Promise<Session> {
    const entry = this.require(id);
    const state = entry.session.state;
    if (state === 'ended' || state === 'stopping') return this.view(entry);
    entry.stopRequested = true;
    if (state === 'queued') {
      this.queue.remove(id);
      entry.nextPrompt = null;
      this.status(entry, 'info', 'Stopped before it started.');
      this.update(entry, { state: 'ended', lastStatus: 'cancelled', queuePosition: null });
      this.refreshQueuePositions();
      return this.view(entry);
    }
    await writeFileAtomic(join(entry.paths.input, '_close'), '', 0o644);
    this.update(entry, { state: 'stopping' });
    entry.timers.push(
      setTimeout(() => void entry.container?.stop(5), this.deps.closeGraceMs ?? 10_000),
    );
    return this.view(entry);
  }

  private enqueue(entry: Entry, prompt: string): void {
    entry.nextPrompt = prompt;
    entry.stopRequested = false;
    this.queue.push(entry.session.id, entry.session.group);
    this.update(entry, { state: 'queued' });
    this.refreshQueuePositions();
    void this.pump();
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.running < this.deps.maxConcurrent()) {
      const id = this.queue.take();
      if (!id) break;
      const entry = this.entries.get(id);
      if (!entry) continue;
      this.running++;
      this.refreshQueuePositions();
      void this.runOnce(entry).finally(() => {
        this.running--;
        void this.pump();
      });
    }
  }

  private async runOnce(entry: Entry): Promise<void> {
    const prompt = entry.nextPrompt ?? '';
    entry.nextPrompt = null;
    const runId = `${entry.session.id}-r${entry.session.runs + 1}`;
    const startedAt = Date.now();
    const output = new RunnerOutput(this.outputSink(entry), runId);
    entry.run = { id: runId, startedAt, mounts: [], output };
    this.update(entry, {
      state: 'starting',
      runs: entry.session.runs + 1,
      queuePosition: null,
      error: null,
      progress: { turn: 0, toolCalls: 0, activity: 'starting' },
    });
    let group: Group;
    try {
      group = this.deps.groups.get(entry.session.group);
      const problem = this.deps.runtimeProblem() ?? this.deps.image().problem;
      if (problem) throw new AppError('RUNTIME_UNAVAILABLE', problem);
      const workspace = join(this.deps.dataDir, 'workspaces', group.folder);
      await mkdir(workspace, { recursive: true });
      if (process.platform !== 'win32') await chmod(workspace, 0o777);
      const launched = await launch(
        {
          group,
          sessionId: entry.session.id,
          paths: entry.paths,
          prompt,
          chatJid: entry.session.chatJid,
          image: this.deps.image().ref,
          defaultWorkspace: workspace,
        },
        this.deps,
      );
      entry.container = launched.container;
      entry.run.mounts = launched.mounts;
    } catch (error) {
      const message = (error as Error).message;
      this.status(entry, 'error', `Could not start: ${message}`);
      await this.finish(entry, null, 'failed', message);
      return;
    }
    const container = entry.container;
    container.onLine((line) => output.line(line));
    container.onStderr((text) => output.raw(text));
    this.update(entry, {
      state: entry.stopRequested ? 'stopping' : 'running',
      container: container.name,
    });
    const hardLimit = group.containerConfig.timeoutSecs;
    let timedOut = false;
    if (hardLimit > 0)
      entry.timers.push(
        setTimeout(
          () => {
            timedOut = true;
            void container.stop(5);
          },
          (hardLimit + 15) * 1000,
        ),
      );
    const exitCode = await container.exited;
    const status: RunStatus =
      timedOut || exitCode === 124
        ? 'timeout'
        : entry.stopRequested || exitCode === 143
          ? 'cancelled'
          : exitCode === 0
            ? 'succeeded'
            : 'failed';
    const error =
      status === 'succeeded' || status === 'cancelled'
        ? null
        : (output.error?.message ??
          (status === 'timeout'
            ? `Stopped at the ${hardLimit} s limit.`
            : `The container exited with code ${exitCode}.`));
    await container.remove();
    await this.finish(entry, exitCode, status, error);
  }

  private async finish(
    entry: Entry,
    exitCode: number | null,
    status: RunStatus,
    error: string | null,
  ): Promise<void> {
    entry.timers.forEach(clearTimeout);
    entry.timers = [];
    this.deps.proxy.revokeSession(entry.session.id);
    const run = entry.run;
    entry.run = null;
    entry.container = null;
    const group = this.deps.groups.find(entry.session.group);
    if (run) {
      const endedAt = Date.now();
      await this.deps.runs
        .append({
          id: run.id,
          group: group?.name ?? entry.session.groupName,
          session: entry.session.id,
          trigger: entry.session.trigger,
          image: this.deps.image().ref,
          container: entry.session.container,
          startedAt: new Date(run.startedAt).toISOString(),
          endedAt: new Date(endedAt).toISOString(),
          exitCode,
          status,
          durationMs: endedAt - run.startedAt,
          error,
          outputTail: run.output.tail,
          mounts: run.mounts,
        })
        .catch((e: unknown) => this.deps.logger.error({ err: e }, 'Could not record a run'));
    }
    if (status !== 'succeeded')
      this.status(
        entry,
        status === 'cancelled' ? 'info' : 'error',
        status === 'cancelled' ? 'Stopped.' : `Run ${status}: ${error ?? ''}`,
      );
    this.update(entry, {
      state: 'ended',
      lastStatus: status,
      error,
      progress: { ...entry.session.progress, activity: null },
    });
    // A follow-up sent while it was finishing starts the next run.
    const waiting = await unreadInput(entry.paths.input);
    if (!this.stopped && status !== 'cancelled' && waiting.length)
      this.enqueue(entry, 'Continue with the messages the user sent while you were finishing.');
  }

  private outputSink(entry: Entry) {
    return {
      item: (item: TranscriptDraft) => this.addItem(entry, item),
      progress: (p: { turn?: number; toolCall?: boolean; activity?: string | null }) =>
        this.update(entry, {
          progress: {
            turn: p.turn ?? entry.session.progress.turn,
            toolCalls: entry.session.progress.toolCalls + (p.toolCall ? 1 : 0),
            activity: p.activity === undefined ? entry.session.progress.activity : p.activity,
          },
        }),
      idle: (waiting: boolean) => {
        if (entry.session.state === 'stopping') return;
        this.update(entry, {
          state: waiting ? 'idle' : 'running',
          progress: {
            ...entry.session.progress,
            activity: waiting ? 'waiting for a follow-up' : 'thinking',
          },
        });
      },
    };
  }

  /** Adds (or replaces, same id) a transcript step, on disk and to every client. */
  addItem(entry: Entry, item: TranscriptDraft): void {
    const full = { ...item, time: new Date().toISOString() } as TranscriptItem;
    entry.writes = entry.writes
      .then(() => appendTranscript(entry.paths, full))
      .catch((e: unknown) =>
        this.deps.logger.error({ err: e }, 'Could not write a transcript line'),
      );
    this.deps.bus.emit('session.transcript', { session: entry.session.id, item: full });
  }

  /** The IPC watcher's view of a session: found by its folder only. */
  readonly ipcSink: IpcSessionSink = {
    container: (groupFolder, session) =>
      this.byFolder(groupFolder, session)?.session.container ?? null,
    record: async (groupFolder, session, item) => {
      const entry = this.byFolder(groupFolder, session);
      if (!entry) {
        // A session folder made through ipc/directories alone: no live session, same record.
        const paths = sessionPaths(this.deps.dataDir, groupFolder, session);
        await appendTranscript(paths, {
          ...item,
          time: new Date().toISOString(),
        } as TranscriptItem);
        return;
      }
      this.addItem(entry, item);
      await entry.writes;
    },
    handled: async (groupFolder, session, messageId) => {
      const entry = this.byFolder(groupFolder, session);
      if (entry) await entry.writes;
      const items = await readTranscript(sessionPaths(this.deps.dataDir, groupFolder, session));
      return items.some(
        (i) => (i.kind === 'message' || i.kind === 'task') && i.messageId === messageId,
      );
    },
  };

  private byFolder(groupFolder: string, session: string): Entry | null {
    const entry = this.entries.get(session);
    return entry && entry.paths.root === sessionPaths(this.deps.dataDir, groupFolder, session).root
      ? entry
      : null;
  }

  private status(entry: Entry, level: 'info' | 'warn' | 'error', text: string): void {
    this.addItem(entry, {
      id: `${entry.session.id}-s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      kind: 'status',
      level,
      text,
    });
  }

  private update(entry: Entry, patch: Partial<Session>): void {
    entry.session = { ...entry.session, ...patch, updatedAt: new Date().toISOString() };
    void this.persist(entry);
    this.deps.bus.emit('session.updated', this.view(entry));
  }

  private persist(entry: Entry): Promise<void> {
    const snapshot = entry.session;
    entry.writes = entry.writes
      .then(() => writeSessionMeta(entry.paths, snapshot))
      .catch((e: unknown) => this.deps.logger.error({ err: e }, 'Could not save a session'));
    return entry.writes;
  }

  private refreshQueuePositions(): void {
    for (const entry of this.entries.values()) {
      const position = this.queue.position(entry.session.id);
      if (
        position !== entry.session.queuePosition &&
        (entry.session.state === 'queued' || position !== null)
      )
        this.update(entry, { queuePosition: position });
    }
  }

  private view(entry: Entry): Session {
    return { ...entry.session, queuePosition: this.queue.position(entry.session.id) };
  }

  private entry(session: Session, paths: SessionPaths): Entry {
    const entry: Entry = {
      session,
      paths,
      nextPrompt: null,
      container: null,
      run: null,
      stopRequested: false,
      timers: [],
      writes: Promise.resolve(),
    };
    this.entries.set(session.id, entry);
    return entry;
  }

  private require(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry)
      throw new AppError(
        'NOT_FOUND',
        `No session "${id}". GET /api/v1/container/sessions lists them.`,
        { id },
      );
    return entry;
  }
}

/** Follow-ups in ipc/input/ the runner has not taken (not the job, not `_close`, not temp files). */
export async function unreadInput(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n !== 'job.json' && n !== '_close' && !n.startsWith('.'),
  );
}
