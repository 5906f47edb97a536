import { chmod, mkdir } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import type { Group } from '../../../shared/schemas/groups';
import type { RunStatus, TranscriptDraft } from '../../../shared/schemas/sessions';
import { launch } from './launcher';
import { RunnerOutput } from './runner-output';
import type { Entry, RunOverrides, SessionBook } from './session-book';
import { AIGO_STOPPED_ERROR, defaultWorkspace, unreadInput, writeAgentFile } from './session-files';
import type { SessionServiceDeps } from './session-service';

/**
 * One run of a session: start its container, stream the runner's output into the transcript,
 * enforce the hard time limit, then record the run, revoke the proxy token and clean up.
 */
export class SessionRunner {
  constructor(
    private readonly deps: SessionServiceDeps,
    private readonly book: SessionBook,
    private readonly control: { stopped: () => boolean; followUp: (entry: Entry) => void },
  ) {}

  async run(entry: Entry): Promise<void> {
    const prompt = entry.nextPrompt ?? '';
    entry.nextPrompt = null;
    // The new runner reads whatever input/ holds; only steering sent from now on is "waiting".
    entry.steering.clear();
    const runId = `${entry.session.id}-r${entry.session.runs + 1}`;
    const startedAt = Date.now();
    const output = new RunnerOutput(this.outputSink(entry), runId);
    entry.run = { id: runId, startedAt, mounts: [], output };
    this.book.update(entry, {
      state: 'starting',
      runs: entry.session.runs + 1,
      queuePosition: null,
      error: null,
      progress: { turn: 0, toolCalls: 0, activity: 'starting' },
    });
    let group: Group;
    let image = this.deps.image().ref;
    try {
      group = withOverrides(this.deps.groups.get(entry.session.group), entry.overrides);
      entry.overrides = null;
      // The group's (or the schedule's) own image, else aigo's agent image, which must be built.
      image = group.containerConfig.image ?? this.deps.image().ref;
      const problem =
        this.deps.runtimeProblem() ??
        (group.containerConfig.image ? null : this.deps.image().problem);
      if (problem) throw new AppError('RUNTIME_UNAVAILABLE', problem);
      const workspace = defaultWorkspace(this.deps.dataDir, group.folder);
      await mkdir(workspace, { recursive: true });
      if (process.platform !== 'win32') await chmod(workspace, 0o777);
      const launched = await launch(
        {
          group,
          sessionId: entry.session.id,
          paths: entry.paths,
          prompt,
          chatJid: entry.session.chatJid,
          image,
          defaultWorkspace: workspace,
          onReplacedFolder: (dir, was) =>
            this.deps.audit.record({
              severity: 'violation',
              category: 'ipc',
              group: group.name,
              message: `Blocked: the last agent of session ${entry.session.id} replaced its IPC folder ${dir} (${was}); it was made a folder again and nothing went through it`,
              details: { session: entry.session.id, folder: dir, was },
            }),
        },
        this.deps,
      );
      entry.container = launched.container;
      entry.run.mounts = launched.mounts;
      entry.launch = launched.record;
      this.deps.containerStarted?.(launched.record);
    } catch (error) {
      const message = (error as Error).message;
      this.book.status(entry, 'error', `Could not start: ${message}`);
      await this.finish(entry, null, 'failed', message, image);
      return;
    }
    const container = entry.container;
    container.onLine((line) => output.line(line));
    container.onStderr((text) => output.raw(text));
    if (entry.stopRequested || this.control.stopped()) {
      // Stop was pressed (or aigo is stopping) while the container started: the launcher
      // cleared input/ of any old `_close`, and the stop timer found no container yet.
      const closing = await writeAgentFile(entry.paths.input, '_close', '').catch(() => false);
      const wait =
        this.control.stopped() || !closing
          ? 0
          : Math.max(0, (entry.stopDeadline ?? Date.now()) - Date.now());
      entry.timers.push(
        setTimeout(() => void container.stop(this.control.stopped() ? 2 : 5), wait),
      );
    }
    this.book.update(entry, {
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
    const stoppedBy = entry.stoppedBy;
    entry.stoppedBy = null;
    const status: RunStatus = stoppedBy
      ? 'failed'
      : timedOut || exitCode === 124
        ? 'timeout'
        : entry.stopRequested || exitCode === 143
          ? 'cancelled'
          : exitCode === 0
            ? 'succeeded'
            : 'failed';
    const error = stoppedBy
      ? stoppedBy
      : status === 'succeeded' || status === 'cancelled'
        ? null
        : (output.error?.message ??
          (status === 'timeout'
            ? `Stopped at the ${hardLimit} s limit.`
            : `The container exited with code ${exitCode}.`));
    await container.remove();
    // The runner's words are the agent's: they must not pass for aigo's own "aigo stopped".
    const said = error?.startsWith(AIGO_STOPPED_ERROR) ? `The agent reported: ${error}` : error;
    await this.finish(entry, exitCode, status, said, image);
  }

  private async finish(
    entry: Entry,
    exitCode: number | null,
    status: RunStatus,
    error: string | null,
    image: string,
  ): Promise<void> {
    entry.timers.forEach(clearTimeout);
    entry.timers = [];
    this.deps.proxy.revokeSession(entry.session.id);
    const run = entry.run;
    entry.run = null;
    entry.container = null;
    entry.launch = null;
    const group = this.deps.groups.find(entry.session.group);
    if (run) {
      const endedAt = Date.now();
      await this.deps.runs
        .append({
          id: run.id,
          group: group?.name ?? entry.session.groupName,
          session: entry.session.id,
          trigger: entry.session.trigger,
          image,
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
      this.book.status(
        entry,
        status === 'cancelled' ? 'info' : 'error',
        status === 'cancelled' ? 'Stopped.' : `Run ${status}: ${error ?? ''}`,
      );
    this.book.update(entry, {
      state: 'ended',
      lastStatus: status,
      error,
      progress: { ...entry.session.progress, activity: null },
    });
    // A follow-up sent while it was finishing starts the next run: only steering aigo wrote
    // (the agent may leave files there too), and not when the user resumed it meanwhile.
    const waiting = (await unreadInput(entry.paths.input)).filter((n) => entry.steering.has(n));
    // A squad's planner or task is done when its run ends: the squad has taken its result, and
    // steering it did not read stays in the squad's notes for the tasks after it.
    if (
      !this.control.stopped() &&
      status !== 'cancelled' &&
      entry.session.trigger !== 'squad' &&
      waiting.length &&
      entry.session.state === 'ended'
    )
      this.control.followUp(entry);
  }

  private outputSink(entry: Entry) {
    return {
      item: (item: TranscriptDraft) => this.book.addItem(entry, item),
      progress: (p: { turn?: number; toolCall?: boolean; activity?: string | null }) =>
        this.book.update(entry, {
          progress: {
            turn: p.turn ?? entry.session.progress.turn,
            toolCalls: entry.session.progress.toolCalls + (p.toolCall ? 1 : 0),
            activity: p.activity === undefined ? entry.session.progress.activity : p.activity,
          },
        }),
      idle: (waiting: boolean) => {
        if (entry.session.state === 'stopping') return;
        this.book.update(entry, {
          state: waiting ? 'idle' : 'running',
          progress: {
            ...entry.session.progress,
            activity: waiting ? 'waiting for a follow-up' : 'thinking',
          },
        });
      },
    };
  }
}

/** The group's container config with one run's overrides (a schedule's limit and image). */
function withOverrides(group: Group, overrides: RunOverrides | null): Group {
  if (!overrides) return group;
  return {
    ...group,
    containerConfig: {
      ...group.containerConfig,
      ...(overrides.timeoutSecs !== undefined ? { timeoutSecs: overrides.timeoutSecs } : {}),
      ...(overrides.image ? { image: overrides.image } : {}),
      ...(overrides.idleTimeoutSecs !== undefined
        ? { idleTimeoutSecs: overrides.idleTimeoutSecs }
        : {}),
    },
  };
}
