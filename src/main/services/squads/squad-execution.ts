import type { Session } from '../../../shared/schemas/sessions';
import { AIGO_STOPPED_ERROR } from '../sessions/session-service';
import type { SquadTask, SquadTaskState } from '../../../shared/schemas/squads';
import { readyTasks, running, skipBlocked, skipPending } from './squad-graph';
import type { SquadBook } from './squad-planning';
import { collectResult, outputFolder, taskPrompt } from './squad-prompts';
import {
  NOT_STARTED,
  WAITING_TO_START,
  type SquadEntry,
  type SquadServiceDeps,
} from './squad-types';
import { filesWritten, finalAnswer } from './task-output';

const STATUS_TO_STATE: Record<NonNullable<Session['lastStatus']>, SquadTaskState> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timeout: 'timeout',
  cancelled: 'cancelled',
};

/**
 * Runs a plan: every task whose dependencies succeeded starts as a session (up to the squad's
 * maxConcurrent, and the global limit through the session queue); a task that does not succeed
 * skips its dependents; the squad ends when nothing runs or waits, or at its execution limit.
 */
export class SquadExecution {
  /** Tasks the user cancelled while they ran: they end `cancelled` whatever the runner says. */
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly deps: SquadServiceDeps,
    private readonly book: SquadBook,
  ) {}

  /** Runs the plan, or runs again what did not succeed in an ended squad. */
  async run(entry: SquadEntry): Promise<void> {
    const { squad } = entry;
    const again = squad.state !== 'planned';
    if (again) {
      for (const key of this.cancelled)
        if (key.startsWith(`${squad.id}/`)) this.cancelled.delete(key);
      for (const task of squad.tasks) if (task.state !== 'succeeded') toPending(task);
    }
    Object.assign(squad, {
      state: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      result: null,
      error: null,
    });
    // Saved before any task starts: a crash from here on finds it running, and recovers it.
    await this.book.save(entry);
    this.deps.audit.record({
      severity: 'info',
      category: 'squad',
      group: squad.groupName,
      message: again
        ? `Squad ${squad.id} runs again the ${squad.tasks.filter((t) => t.state === 'pending').length} tasks that did not succeed`
        : `Squad ${squad.id} runs ${squad.tasks.length} tasks in ${squad.waves.length} waves`,
      details: { squad: squad.id, tasks: squad.tasks.length, again },
    });
    this.armTimer(entry);
    await this.pump(entry);
  }

  async taskEnded(entry: SquadEntry, taskId: string, session: Session): Promise<void> {
    const task = entry.squad.tasks.find((t) => t.id === taskId);
    if (!task || task.state !== 'running' || task.session !== session.id) return;
    const key = `${entry.squad.id}/${task.id}`;
    const byUser = this.cancelled.delete(key);
    const status = session.lastStatus ?? 'failed';
    const byPause = status === 'cancelled' && this.book.stoppedByPause(session.id);
    if (byPause && !byUser && entry.squad.state === 'running') {
      // "Pause all agents" stopped it: it runs again (its new session waits for the resume).
      toPending(task);
      await this.pump(entry);
      return;
    }
    let state = STATUS_TO_STATE[status];
    if (byUser && state !== 'succeeded') state = 'cancelled';
    else if (entry.squad.state === 'timeout' && state !== 'succeeded') state = 'timeout';
    Object.assign(task, {
      state,
      endedAt: new Date().toISOString(),
      reason: reasonFor(state, session, byUser, entry),
      output: state === 'succeeded' ? await this.output(entry, task.id, session.id) : null,
    });
    await this.pump(entry);
  }

  /** What a task hands on; a transcript that cannot be read hands on nothing, never blocks. */
  private async output(entry: SquadEntry, taskId: string, session: string) {
    try {
      const transcript = (await this.deps.sessions.get(session)).transcript;
      return {
        answer: finalAnswer(transcript),
        files: await filesWritten(
          transcript,
          this.deps.workspaceOf(entry.squad.group),
          outputFolder(entry.squad.id, taskId),
        ),
      };
    } catch (error) {
      this.deps.logger.warn({ err: error, session }, "Could not read a squad task's output");
      return { answer: '', files: [] };
    }
  }

  async cancelTask(entry: SquadEntry, task: SquadTask): Promise<void> {
    if (task.state === 'pending') {
      Object.assign(task, {
        state: 'cancelled',
        endedAt: new Date().toISOString(),
        reason: 'Cancelled by the user before it started.',
      });
      await this.pump(entry);
    } else if (task.state === 'running' && task.session) {
      this.cancelled.add(`${entry.squad.id}/${task.id}`);
      await this.deps.sessions.close(task.session);
    }
  }

  /** The squad stops (cancelled, or at its execution limit): running tasks are asked to stop. */
  async stopAll(entry: SquadEntry, state: 'cancelled' | 'timeout', why: string): Promise<void> {
    if (entry.executionTimer) clearTimeout(entry.executionTimer);
    entry.executionTimer = null;
    Object.assign(entry.squad, { state, error: state === 'timeout' ? why : null });
    skipPending(entry.squad, `Skipped: ${why}`);
    const stopping = running(entry.squad);
    await this.pump(entry);
    for (const task of stopping)
      if (task.session)
        await this.deps.sessions.close(task.session).catch((error: unknown) => {
          this.deps.logger.warn({ err: error, task: task.id }, 'Could not stop a squad task');
        });
  }

  /**
   * After a restart: tasks whose containers died with aigo are failed (their dependents skipped)
   * or run again, per Settings > Squads; a task that had finished is taken as it ended.
   */
  async recover(entry: SquadEntry): Promise<void> {
    const { squad } = entry;
    if (squad.state !== 'running' && (squad.endedAt || !running(squad).length)) return;
    const rerun = this.deps.settings().onRestart === 'rerun';
    for (const task of running(squad)) {
      const session = task.session ? this.deps.sessions.peek(task.session) : null;
      if (session?.state === 'ended' && endedOnItsOwn(session)) {
        // It ended before aigo stopped (the event was not handled in time): taken as it ended.
        await this.taskEnded(entry, task.id, session);
      } else if (squad.state !== 'running') {
        // Cancelled or at its limit before aigo stopped: the task was being stopped anyway.
        Object.assign(task, {
          state: squad.state === 'timeout' ? 'timeout' : 'cancelled',
          endedAt: new Date().toISOString(),
          reason: session ? reasonFor('cancelled', session, false, entry) : null,
        });
      } else if (rerun) {
        toPending(task);
      } else
        Object.assign(task, {
          state: 'failed',
          endedAt: new Date().toISOString(),
          reason:
            'aigo stopped while this task ran (its container stopped with it). Settings > Squads > After a restart: run again, to have such tasks started again.',
        });
    }
    if (squad.state === 'running') {
      const elapsed = Date.now() - Date.parse(squad.startedAt ?? squad.createdAt);
      if (elapsed >= squad.limits.executionTimeoutSecs * 1000) {
        await this.stopAll(entry, 'timeout', executionLimit(entry));
        return;
      }
      this.armTimer(entry, squad.limits.executionTimeoutSecs * 1000 - elapsed);
    }
    await this.pump(entry);
  }

  /** Skips what cannot run, starts what can, and ends the squad when nothing is left. */
  async pump(entry: SquadEntry): Promise<void> {
    const { squad } = entry;
    skipBlocked(squad);
    const ready = squad.state === 'running' && !this.book.stopping() ? readyTasks(squad) : [];
    const blocked = ready.length ? (this.deps.startProblem?.(squad.group) ?? null) : null;
    // Waiting beats failing each task in turn: `resume` pumps again once it is solved.
    if (blocked) squad.error = `${WAITING_TO_START}${blocked}`;
    else if (squad.error?.startsWith(WAITING_TO_START)) squad.error = null;
    if (!blocked)
      for (const task of ready) {
        if (running(squad).length >= squad.limits.maxConcurrent) break;
        // Another pump (a task that ended meanwhile) may have started it while this one awaited.
        if (task.state !== 'pending') continue;
        if (this.book.stopping()) break; // aigo began to stop while this pump awaited
        await this.launch(entry, task);
      }
    if (!running(squad).length && !squad.tasks.some((t) => t.state === 'pending')) this.end(entry);
    await this.book.save(entry);
  }

  private async launch(entry: SquadEntry, task: SquadTask): Promise<void> {
    const { squad } = entry;
    Object.assign(task, { state: 'running', startedAt: new Date().toISOString(), reason: null });
    try {
      const session = await this.deps.sessions.create({
        group: squad.group,
        prompt: taskPrompt(squad, task),
        trigger: 'squad',
        overrides: { timeoutSecs: squad.limits.taskTimeoutSecs, idleTimeoutSecs: 0 },
      });
      task.session = session.id;
      this.book.track(session.id, squad.id, task.id);
      // Stopped while it was being created: it must not run unsupervised.
      if (squad.state !== 'running') await this.deps.sessions.close(session.id);
    } catch (error) {
      if (this.book.stopping()) {
        // aigo stops: the task has not started; it starts when the squad resumes.
        Object.assign(task, { state: 'pending', startedAt: null });
        return;
      }
      Object.assign(task, {
        state: 'failed',
        endedAt: new Date().toISOString(),
        reason: `Could not start: ${(error as Error).message}`,
      });
    }
  }

  private end(entry: SquadEntry): void {
    const { squad } = entry;
    if (squad.endedAt) return;
    if (entry.executionTimer) clearTimeout(entry.executionTimer);
    entry.executionTimer = null;
    if (squad.state === 'running')
      squad.state =
        squad.tasks.length > 0 && squad.tasks.every((t) => t.state === 'succeeded')
          ? 'succeeded'
          : 'failed';
    squad.endedAt = new Date().toISOString();
    squad.result = collectResult(squad);
    this.deps.audit.record({
      severity: 'info',
      category: 'squad',
      group: squad.groupName,
      message: `Squad ${squad.id} ended: ${squad.state}`,
      details: {
        squad: squad.id,
        state: squad.state,
        succeeded: squad.tasks.filter((t) => t.state === 'succeeded').length,
        tasks: squad.tasks.length,
      },
    });
  }

  private armTimer(entry: SquadEntry, ms = entry.squad.limits.executionTimeoutSecs * 1000): void {
    if (entry.executionTimer) clearTimeout(entry.executionTimer);
    entry.executionTimer = setTimeout(() => {
      entry.executionTimer = null;
      void this.book
        .serial(entry, async () => {
          if (entry.squad.state === 'running')
            await this.stopAll(entry, 'timeout', executionLimit(entry));
        })
        .catch((error: unknown) =>
          this.deps.logger.error({ err: error }, 'Could not stop a squad at its limit'),
        );
    }, ms);
  }
}

/**
 * A session that ended by itself (succeeded, failed, timed out, or was stopped by the user),
 * not one aigo's stop or crash ended: SessionService.start marks those with AIGO_STOPPED_ERROR.
 */
function endedOnItsOwn(session: Session): boolean {
  if (session.lastStatus === 'succeeded') return true;
  return (
    session.lastStatus !== null &&
    !session.error?.startsWith(AIGO_STOPPED_ERROR) &&
    session.lastStatus !== 'cancelled'
  );
}

/** A task to start afresh: a new session, no times, reason or output of an earlier run. */
function toPending(task: SquadTask): void {
  Object.assign(task, NOT_STARTED);
}

function executionLimit(entry: SquadEntry): string {
  return `the squad reached its ${entry.squad.limits.executionTimeoutSecs} s execution limit.`;
}

function reasonFor(
  state: SquadTaskState,
  session: Session,
  byUser: boolean,
  entry: SquadEntry,
): string | null {
  if (state === 'succeeded') return null;
  if (byUser) return 'Cancelled by the user.';
  if (entry.squad.state === 'cancelled') return 'Stopped: the squad was cancelled.';
  if (entry.squad.state === 'timeout') return `Stopped: ${executionLimit(entry)}`;
  if (state === 'timeout')
    return `Stopped at its ${entry.squad.limits.taskTimeoutSecs} s task limit.`;
  return session.error ?? `Its session ended ${session.lastStatus ?? 'without a result'}.`;
}
