import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import type { Session, TranscriptDraft, TranscriptItem } from '../../../shared/schemas/sessions';
import type { EventBus } from '../events/event-bus';
import type { IpcSessionSink } from './ipc-watcher';
import type { RunnerOutput } from './runner-output';
import type { AgentContainer } from './docker-engine';
import type { LaunchRecord } from './launcher';
import type { RunRecord } from '../../../shared/schemas/sessions';
import {
  appendTranscript,
  readTranscript,
  sessionPaths,
  writeSessionMeta,
  type SessionPaths,
} from './session-files';

export interface Entry {
  session: Session;
  paths: SessionPaths;
  /** What the next run starts with (the prompt, or the follow-up that resumes it). */
  nextPrompt: string | null;
  container: AgentContainer | null;
  run: { id: string; startedAt: number; mounts: RunRecord['mounts']; output: RunnerOutput } | null;
  stopRequested: boolean;
  timers: NodeJS.Timeout[];
  writes: Promise<void>;
  /** A run of this session is under way (from the queue slot to its record): never two at once. */
  busy: Promise<void> | null;
  /**
   * Names of the steering files aigo itself wrote to ipc/input/. Only these count as follow-ups
   * waiting when a run ends: the agent can write there too, and must not restart itself.
   */
  steering: Set<string>;
  /** When a Stop asked for the container to be stopped (a run may still be starting then). */
  stopDeadline: number | null;
  /** For the next run only (a schedule's own limit and image), over the group's. */
  overrides: RunOverrides | null;
  /** How the running container was started, while it runs. */
  launch: LaunchRecord | null;
  /** Why someone else (the security audit) stopped the container, if so. */
  stoppedBy: string | null;
}

/** What a caller such as the scheduler may set for one run, over the group's container config. */
export interface RunOverrides {
  timeoutSecs?: number;
  image?: string;
  /** 0: the run ends after its answer (a squad's task), whatever the group waits for follow-ups. */
  idleTimeoutSecs?: number;
}

/**
 * Every session the app knows, in memory and on disk: its metadata (session.json, written
 * atomically, in order), its transcript (transcript.jsonl) and the events clients follow.
 */
export class SessionBook {
  readonly entries = new Map<string, Entry>();

  constructor(
    private readonly deps: {
      dataDir: string;
      bus: EventBus;
      logger: Logger;
      /** Removes real API keys from what is stored and shown (an upstream may echo one). */
      scrub?: (text: string) => string;
    },
    private readonly queuePosition: (id: string) => number | null,
  ) {}

  /** Adds (or replaces, same id) a transcript step, on disk and to every client. */
  addItem(entry: Entry, item: TranscriptDraft): void {
    const stamped = { ...item, time: new Date().toISOString() };
    const full = (
      this.deps.scrub ? JSON.parse(this.deps.scrub(JSON.stringify(stamped))) : stamped
    ) as TranscriptItem;
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
      const ids = await this.handledIds(groupFolder, session);
      if (item.kind === 'message' || item.kind === 'task') ids.add(item.messageId);
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
    handled: async (groupFolder, session, messageId) =>
      (await this.handledIds(groupFolder, session)).has(messageId),
  };

  /** Ids of the IPC files a session has handled: read from its transcript once, then kept. */
  private readonly handled = new Map<string, Promise<Set<string>>>();

  private handledIds(groupFolder: string, session: string): Promise<Set<string>> {
    const paths = sessionPaths(this.deps.dataDir, groupFolder, session);
    let ids = this.handled.get(paths.root);
    if (!ids) {
      const entry = this.byFolder(groupFolder, session);
      ids = (entry ? entry.writes : Promise.resolve())
        .then(() => readTranscript(paths))
        .then(
          (items) =>
            new Set(
              items.flatMap((i) =>
                i.kind === 'message' || i.kind === 'task' ? [i.messageId] : [],
              ),
            ),
        );
      this.handled.set(paths.root, ids);
    }
    return ids;
  }

  byFolder(groupFolder: string, session: string): Entry | null {
    const entry = this.entries.get(session);
    return entry && entry.paths.root === sessionPaths(this.deps.dataDir, groupFolder, session).root
      ? entry
      : null;
  }

  status(entry: Entry, level: 'info' | 'warn' | 'error', text: string): void {
    this.addItem(entry, {
      id: `${entry.session.id}-s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      kind: 'status',
      level,
      text,
    });
  }

  update(entry: Entry, patch: Partial<Session>): void {
    // An error may quote what an upstream answered, and an upstream may echo the key it got.
    const error = patch.error && this.deps.scrub ? this.deps.scrub(patch.error) : patch.error;
    entry.session = {
      ...entry.session,
      ...patch,
      ...(error !== undefined ? { error } : {}),
      updatedAt: new Date().toISOString(),
    };
    void this.persist(entry);
    this.deps.bus.emit('session.updated', this.view(entry));
  }

  persist(entry: Entry): Promise<void> {
    const snapshot = entry.session;
    entry.writes = entry.writes
      .then(() => writeSessionMeta(entry.paths, snapshot))
      .catch((e: unknown) => this.deps.logger.error({ err: e }, 'Could not save a session'));
    return entry.writes;
  }

  view(entry: Entry): Session {
    return { ...entry.session, queuePosition: this.queuePosition(entry.session.id) };
  }

  entry(session: Session, paths: SessionPaths): Entry {
    const entry: Entry = {
      session,
      paths,
      nextPrompt: null,
      container: null,
      run: null,
      stopRequested: false,
      timers: [],
      writes: Promise.resolve(),
      busy: null,
      steering: new Set(),
      stopDeadline: null,
      overrides: null,
      launch: null,
      stoppedBy: null,
    };
    this.entries.set(session.id, entry);
    return entry;
  }

  require(id: string): Entry {
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
