import { newestFirst } from '../../../shared/newest-first';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import type { Session, SessionDetail, SessionState } from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { GroupsService } from '../groups/groups-service';
import { FairQueue } from './fair-queue';
import { SessionBook, type Entry, type RunOverrides } from './session-book';
import { SessionRunner } from './session-runner';
import type { IpcSessionSink } from './ipc-watcher';
import type { LaunchDeps, LaunchRecord } from './launcher';
import type { RunHistory } from './run-history';
import {
  AIGO_STOPPED_ERROR,
  ensureSessionDirs,
  loadAllSessions,
  newSessionId,
  readTranscript,
  sessionPaths,
  writeAgentFile,
  type SessionPaths,
} from './session-files';

export { AIGO_STOPPED_ERROR } from './session-files';

/** How long a container still being started is left to the audit its own start runs. */
const STARTING_AUDIT_GRACE_MS = 60_000;

/** How long aigo's stop waits for runs to record themselves and remove their containers. */
const STOP_WAIT_MS = 15_000;

export interface SessionServiceDeps extends LaunchDeps {
  dataDir: string;
  /** Removes real API keys from transcripts (an upstream may echo one in a body). */
  scrub?: (text: string) => string;
  /** Told of every container started (the security audit checks it at once). */
  containerStarted?: (record: LaunchRecord) => void;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  groups: GroupsService;
  runs: RunHistory;
  /** The agent image to run, and why not when it cannot run yet. */
  image: () => { ref: string; problem: string | null };
  runtimeProblem: () => string | null;
  maxConcurrent: () => number;
  /** "Pause all agents": while true nothing starts; queued sessions wait. */
  paused?: () => boolean;
  /** How long a closed session may finish its step before its container is stopped. */
  closeGraceMs?: number;
}

const ACTIVE: SessionState[] = ['queued', 'starting', 'running', 'idle', 'stopping'];

/**
 * Agent sessions: each one a folder under DATA_DIR/sessions/{group}/{session}/ and, while it
 * works, one container. Starts go through a fair queue with a global limit; steering is a file
 * in the session's ipc/input/; every run lands in the run history.
 */
export class SessionService {
  private readonly queue = new FairQueue();
  private readonly book: SessionBook;
  private readonly runner: SessionRunner;
  private running = 0;
  private stopped = false;

  constructor(private readonly deps: SessionServiceDeps) {
    this.book = new SessionBook(deps, (id) => this.queue.position(id));
    this.runner = new SessionRunner(deps, this.book, {
      stopped: () => this.stopped,
      // A follow-up sent while a run was finishing starts the next run.
      followUp: (entry) =>
        this.enqueue(entry, 'Continue with the messages the user sent while you were finishing.'),
    });
  }

  /** The IPC watcher's view of the sessions. */
  get ipcSink(): IpcSessionSink {
    return this.book.ipcSink;
  }

  async start(): Promise<void> {
    for (const { groupFolder, session } of await loadAllSessions(this.deps.dataDir)) {
      const entry = this.book.entry(
        // Saved before errors were scrubbed (or with a key added since): scrubbed as loaded.
        session.error && this.deps.scrub
          ? { ...session, error: this.deps.scrub(session.error) }
          : session,
        sessionPaths(this.deps.dataDir, groupFolder, session.id),
      );
      if (ACTIVE.includes(session.state)) {
        // aigo stopped (or was killed) while this session ran: its container is an orphan.
        entry.session = {
          ...session,
          state: 'ended',
          queuePosition: null,
          lastStatus: 'failed',
          error: AIGO_STOPPED_ERROR,
        };
        await this.book.persist(entry);
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
    const entries = [...this.book.entries.values()];
    for (const entry of entries) {
      entry.timers.forEach(clearTimeout);
      if (entry.busy) entry.stopRequested = true; // a run still starting stops once it has
      if (entry.container) await entry.container.stop(2);
    }
    // Each run records itself, revokes its token and removes its container once it has
    // stopped: wait for that (bounded), or the containers stay behind until the next start.
    const runs = entries.flatMap((e) => (e.busy ? [e.busy] : []));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runs),
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    await Promise.all(entries.map((e) => e.writes));
  }

  list(filter: { group?: string; state?: SessionState; limit?: number } = {}): Session[] {
    const group = filter.group ? this.deps.groups.find(filter.group) : null;
    return [...this.book.entries.values()]
      .map((e) => this.book.view(e))
      .filter((s) => !filter.group || s.group === (group?.id ?? filter.group))
      .filter((s) => !filter.state || s.state === filter.state)
      .sort(newestFirst('createdAt'))
      .slice(0, filter.limit ?? 100);
  }

  async get(id: string): Promise<SessionDetail> {
    const entry = this.book.require(id);
    await entry.writes;
    return { ...this.book.view(entry), transcript: await readTranscript(entry.paths) };
  }

  /** Sessions with their folders, for health checks. */
  folders(): { session: Session; paths: SessionPaths }[] {
    return [...this.book.entries.values()].map((e) => ({
      session: this.book.view(e),
      paths: e.paths,
    }));
  }

  /** The launch records of the containers running now, for the security audit. */
  liveLaunches(): LaunchRecord[] {
    return [...this.book.entries.values()].flatMap((e) => (e.launch ? [e.launch] : []));
  }

  /** Sessions whose container is starting and not yet recorded (see ContainerAuditDeps). */
  startingSessions(): Set<string> {
    // Bounded: an engine that hangs mid-start must not keep a container unaudited for long.
    const since = Date.now() - STARTING_AUDIT_GRACE_MS;
    return new Set(
      [...this.book.entries.values()]
        .filter((e) => e.run !== null && e.launch === null && e.run.startedAt > since)
        .map((e) => e.session.id),
    );
  }

  /** Marks why a session's container was stopped by someone else (the security audit). */
  noteStopped(sessionId: string, reason: string, containerId?: string): void {
    const entry = this.book.entries.get(sessionId);
    // Only for the container it runs now: an earlier run's must not mark a later one.
    if (!entry || (containerId && entry.launch?.containerId !== containerId)) return;
    entry.stoppedBy = reason;
    this.book.status(entry, 'error', reason);
  }

  /** A session as it is now, or null. */
  peek(id: string): Session | null {
    const entry = this.book.entries.get(id);
    return entry ? this.book.view(entry) : null;
  }

  exists(id: string): boolean {
    return this.book.entries.has(id);
  }

  /** Queued, starting, running, idle or stopping. */
  isActive(id: string): boolean {
    const state = this.book.entries.get(id)?.session.state;
    return state !== undefined && state !== 'ended';
  }

  activeCount(groupId: string): number {
    return [...this.book.entries.values()].filter(
      (e) => e.session.group === groupId && ACTIVE.includes(e.session.state),
    ).length;
  }

  /** `POST /api/v1/container/ipc/directories`: the folders exist afterwards, whoever asked. */
  async ipcDirectories(groupRef: string, session: string) {
    const group = this.deps.groups.get(groupRef);
    const paths = sessionPaths(this.deps.dataDir, group.folder, session);
    const created = await ensureSessionDirs(paths, (dir, was) =>
      this.replacedFolder(group.name, session, dir, was),
    );
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
    /** For this run only (a schedule's limit and image). */
    overrides?: RunOverrides;
  }): Promise<Session> {
    if (this.stopped) throw new AppError('UNREACHABLE', 'aigo is stopping.');
    const group = this.deps.groups.get(input.group);
    const id = newSessionId();
    const paths = sessionPaths(this.deps.dataDir, group.folder, id);
    await ensureSessionDirs(paths);
    const now = new Date().toISOString();
    const entry = this.book.entry(
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
    this.book.addItem(entry, {
      id: `${id}-prompt`,
      kind: 'user',
      text: input.prompt,
      source: 'prompt',
    });
    entry.overrides = input.overrides ?? null;
    this.enqueue(entry, input.prompt);
    this.deps.audit.record({
      severity: 'info',
      category: 'session',
      group: group.name,
      message: `Session ${id} started (${input.trigger})`,
      details: { session: id, trigger: input.trigger },
    });
    return this.book.view(entry);
  }

  /** Steers a live session (a file in its ipc/input/), or resumes an ended one with the text. */
  async message(id: string, text: string, overrides?: RunOverrides): Promise<Session> {
    const entry = this.book.require(id);
    const itemId = `${id}-u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    if (entry.session.state === 'ended') {
      this.book.addItem(entry, { id: itemId, kind: 'user', text, source: 'prompt' });
      entry.session.error = null;
      entry.overrides = overrides ?? null;
      this.enqueue(entry, text);
      return this.book.view(entry);
    }
    if (entry.session.state === 'stopping')
      throw new AppError(
        'CONFLICT',
        'The session is stopping; send the message once it has ended to resume it.',
      );
    const name = `${Date.now()}-${itemId}.json`;
    // Through the folder itself: the agent may have swapped input/ for a link to a host folder.
    if (
      !(await writeAgentFile(
        entry.paths.input,
        name,
        JSON.stringify({ type: 'message', text }),
        0o644,
      ))
    ) {
      this.replacedFolder(entry.session.groupName, id, entry.paths.input, 'not a folder');
      throw new AppError(
        'CONFLICT',
        "The session's ipc/input folder is no longer a folder (its agent replaced it), so the message was not written. Stop the session and send the message once it has ended: the next run gets a new folder.",
      );
    }
    entry.steering.add(name);
    this.book.addItem(entry, { id: itemId, kind: 'user', text, source: 'steering' });
    return this.book.view(entry);
  }

  /** Asks the agent to finish its step (`_close`), then stops the container after a grace period. */
  async close(id: string): Promise<Session> {
    const entry = this.book.require(id);
    const state = entry.session.state;
    if (state === 'ended' || state === 'stopping') return this.book.view(entry);
    entry.stopRequested = true;
    if (state === 'queued') {
      this.queue.remove(id);
      entry.nextPrompt = null;
      this.book.status(entry, 'info', 'Stopped before it started.');
      this.book.update(entry, { state: 'ended', lastStatus: 'cancelled', queuePosition: null });
      this.refreshQueuePositions();
      return this.book.view(entry);
    }
    // A run still starting asks again once its container runs (see SessionRunner), by this time.
    const written = await writeAgentFile(entry.paths.input, '_close', '', 0o644);
    if (!written)
      this.replacedFolder(entry.session.groupName, id, entry.paths.input, 'not a folder');
    // Without the polite close (the agent removed its input folder), stop it at once.
    const grace = written ? (this.deps.closeGraceMs ?? 10_000) : 0;
    entry.stopDeadline = Date.now() + grace;
    this.book.update(entry, { state: 'stopping' });
    entry.timers.push(setTimeout(() => void entry.container?.stop(5), grace));
    return this.book.view(entry);
  }

  /**
   * After "Pause all agents" changed: on pause, every agent at work is asked to stop (as Stop
   * does: it finishes its step, then its container stops) and the queue holds; on resume, the
   * queue starts again. Returns the sessions asked to stop.
   */
  async pausedChanged(paused: boolean): Promise<string[]> {
    if (!paused) {
      this.deps.audit.record({
        severity: 'info',
        category: 'session',
        message: 'Agents resumed: queued sessions start again',
        details: { queued: this.queue.size },
      });
      void this.pump();
      return [];
    }
    const working = [...this.book.entries.values()]
      .filter((e) => ['starting', 'running', 'idle'].includes(e.session.state))
      .map((e) => e.session.id);
    for (const id of working) await this.close(id);
    this.deps.audit.record({
      severity: 'info',
      category: 'session',
      message: `All agents paused: ${working.length} asked to stop, ${this.queue.size} waiting`,
      details: { stopped: working, queued: this.queue.size },
    });
    return working;
  }

  /** An agent replaced a folder of its ipc/ (with a link, say): nothing went through it. */
  private replacedFolder(group: string, session: string, dir: string, was: string): void {
    const container = this.book.entries.get(session)?.session.container;
    this.deps.audit.record({
      severity: 'violation',
      category: 'ipc',
      group,
      ...(container ? { container } : {}),
      message: `Blocked: the agent replaced its IPC folder ${dir.split(/[\\/]/).slice(-2).join('/')} (${was}); aigo wrote nothing through it`,
      details: { session, folder: dir, was },
      coalesceKey: `ipc-folder-replaced:${session}`,
    });
  }

  private enqueue(entry: Entry, prompt: string): void {
    entry.nextPrompt = prompt;
    entry.stopRequested = false;
    entry.stopDeadline = null;
    this.queue.push(entry.session.id, entry.session.group);
    this.book.update(entry, { state: 'queued' });
    this.refreshQueuePositions();
    void this.pump();
  }

  private async pump(): Promise<void> {
    while (!this.stopped && !this.deps.paused?.() && this.running < this.deps.maxConcurrent()) {
      // A session whose last run is still finishing waits for it: one container per session.
      const id = this.queue.take((next) => !this.book.entries.get(next)?.busy);
      if (!id) break;
      const entry = this.book.entries.get(id);
      if (!entry) continue;
      this.running++;
      this.refreshQueuePositions();
      const run = this.runner.run(entry).finally(() => {
        this.running--;
        entry.busy = null;
        void this.pump();
      });
      entry.busy = run;
    }
  }

  private refreshQueuePositions(): void {
    for (const entry of this.book.entries.values()) {
      const position = this.queue.position(entry.session.id);
      if (
        position !== entry.session.queuePosition &&
        (entry.session.state === 'queued' || position !== null)
      )
        this.book.update(entry, { queuePosition: position });
    }
  }
}
