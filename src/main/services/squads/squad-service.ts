import { newestFirst } from '../../../shared/newest-first';
import { AppError } from '../../../shared/errors';
import type { Session } from '../../../shared/schemas/sessions';
import type { PlanTask, Squad, SquadState } from '../../../shared/schemas/squads';
import { checkPlan } from './plan-check';
import { SquadExecution } from './squad-execution';
import { SquadPlanning } from './squad-planning';
import { SquadStore } from './squad-store';
import { steer } from './squad-steering';
import {
  FINAL_SQUAD_STATES,
  isWorking,
  newSquad,
  type NewSquad,
  type SquadEntry,
  type SquadServiceDeps,
  WAITING_TO_START,
} from './squad-types';

export type { SquadEntry, SquadServiceDeps, SquadSessions } from './squad-types';
export { FINAL_SQUAD_STATES } from './squad-types';

const STOP_WAIT_MS = 5_000;

/** Ended without every task succeeding: Run starts what did not succeed again. */
const RETRYABLE: ReadonlySet<SquadState> = new Set(['failed', 'timeout', 'cancelled']);

/**
 * Squad mode: a planner session turns a goal into a plan of tasks (a DAG), the user runs, edits
 * or re-plans it, and its tasks run as ordinary sessions in waves. Every change is saved (one
 * file per squad, replaced atomically) and pushed as `squad.updated`.
 */
export class SquadService {
  private readonly entries = new Map<string, SquadEntry>();
  /** Which squad (and task, or the planner) a session works for. */
  private readonly bySession = new Map<string, { squad: string; task: string | null }>();
  private readonly store: SquadStore;
  private readonly planning: SquadPlanning;
  private readonly execution: SquadExecution;
  private off: (() => void) | null = null;
  private stopping = false;
  /** Planner and task sessions "Pause all agents" asked to stop: they run again, not fail. */
  private readonly pausedSessions = new Set<string>();

  constructor(private readonly deps: SquadServiceDeps) {
    this.store = new SquadStore(deps.dataDir);
    const book = {
      save: (entry: SquadEntry) => this.save(entry),
      track: (session: string, squad: string, task: string | null) =>
        this.bySession.set(session, { squad, task }),
      stopping: () => this.stopping,
      stoppedByPause: (session: string) => this.pausedSessions.delete(session),
      serial: <T>(entry: SquadEntry, work: () => Promise<T>) => this.serial(entry, work),
    };
    this.execution = new SquadExecution(deps, book);
    this.planning = new SquadPlanning(deps, book, (entry) => this.execution.run(entry));
  }

  async start(): Promise<void> {
    const { squads, unreadable } = await this.store.loadAll();
    for (const name of unreadable)
      this.deps.logger.warn({ file: name }, 'A squad file could not be read; it is left as is');
    for (const squad of squads) {
      const entry: SquadEntry = {
        squad,
        repairsLeft: 0,
        executionTimer: null,
        writes: Promise.resolve(),
        lock: Promise.resolve(),
      };
      this.entries.set(squad.id, entry);
      if (squad.planner.session)
        this.bySession.set(squad.planner.session, { squad: squad.id, task: null });
      for (const task of squad.tasks)
        if (task.session) this.bySession.set(task.session, { squad: squad.id, task: task.id });
    }
    this.off = this.deps.bus.on('session.updated', (session) => this.sessionUpdated(session));
    // aigo stopped while these worked: their sessions have ended since (see SessionService.start).
    for (const entry of this.entries.values())
      await this.serial(entry, async () => {
        if (entry.squad.state === 'planning') await this.planning.recover(entry);
        else await this.execution.recover(entry);
      }).catch(async (error: unknown) => {
        // One squad that cannot go on must not keep aigo from starting: it ends, with why.
        this.deps.logger.error({ err: error, squad: entry.squad.id }, 'A squad could not recover');
        if (entry.squad.state === 'plan_failed') return; // already says why; re-plan works
        if (FINAL_SQUAD_STATES.has(entry.squad.state) && entry.squad.endedAt) return;
        for (const task of entry.squad.tasks)
          if (task.state === 'running' || task.state === 'pending')
            Object.assign(task, {
              state: task.state === 'running' ? 'failed' : 'skipped',
              endedAt: new Date().toISOString(),
              reason: 'aigo could not resume this squad after a restart.',
            });
        Object.assign(entry.squad, {
          state: 'failed',
          endedAt: new Date().toISOString(),
          error: `aigo could not resume this squad after a restart: ${(error as Error).message}`,
        });
        await this.save(entry);
      });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.off?.();
    this.off = null;
    for (const entry of this.entries.values()) {
      if (entry.executionTimer) clearTimeout(entry.executionTimer);
      entry.executionTimer = null;
    }
    // Changes under way finish (bounded), so what is on disk is whole.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.entries.values()].map((e) => e.lock)),
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    await Promise.all([...this.entries.values()].map((e) => e.writes));
  }

  /** Resolves once every change asked for so far (and those they caused) has been made. */
  async settled(): Promise<void> {
    for (;;) {
      const locks = [...this.entries.values()].map((e) => e.lock);
      await Promise.all(locks);
      await Promise.all([...this.entries.values()].map((e) => e.writes));
      if ([...this.entries.values()].every((e, i) => e.lock === locks[i])) return;
    }
  }

  list(filter: { state?: SquadState; limit?: number } = {}): Squad[] {
    return [...this.entries.values()]
      .map((e) => e.squad)
      .filter((s) => !filter.state || s.state === filter.state)
      .sort(newestFirst('createdAt'))
      .slice(0, filter.limit ?? 100);
  }

  get(id: string): Squad {
    return this.require(id).squad;
  }

  async create(input: NewSquad & { group: string }): Promise<Squad> {
    const group = this.deps.groups.get(input.group);
    const squad = newSquad(group, input, this.deps.settings());
    const entry: SquadEntry = {
      squad,
      repairsLeft: 1,
      executionTimer: null,
      writes: Promise.resolve(),
      lock: Promise.resolve(),
    };
    this.entries.set(squad.id, entry);
    // On disk before the planner starts: a crash now leaves a squad to recover, not an orphan.
    await this.save(entry);
    this.deps.audit.record({
      severity: 'info',
      category: 'squad',
      group: group.name,
      message: `Squad ${squad.id} started: the planner splits the goal into tasks`,
      details: { squad: squad.id, ...squad.limits },
    });
    await this.serial(entry, () => this.planning.plan(entry));
    return entry.squad;
  }

  /**
   * Runs a planned squad; a squad that ended failed, timed out or cancelled runs again: the tasks
   * that did not succeed start afresh (with a new execution limit), those that did are kept.
   */
  run(id: string): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      const { state } = entry.squad;
      if (state !== 'planned' && !RETRYABLE.has(state))
        throw new AppError(
          'CONFLICT',
          state === 'succeeded'
            ? `Squad ${id} has succeeded; start a new squad for more work.`
            : `Squad ${id} is ${state}; a planned squad runs, and an ended one that did not succeed runs again.`,
          { state },
        );
      if (state !== 'planned' && (!entry.squad.startedAt || !entry.squad.tasks.length))
        throw new AppError(
          'CONFLICT',
          `Squad ${id} was cancelled before its plan ran; start a new squad.`,
          { state },
        );
      if (state !== 'planned' && !entry.squad.endedAt)
        throw new AppError(
          'CONFLICT',
          `Squad ${id} is still stopping its tasks; run it again once they have stopped.`,
          { state },
        );
      await this.execution.run(entry);
      return entry.squad;
    });
  }

  /** The user's own plan, checked as the planner's is. */
  updatePlan(id: string, tasks: PlanTask[]): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      this.waiting(entry, 'a plan can be edited while it waits to run');
      const checked = checkPlan(tasks, entry.squad.limits.maxTasks);
      if (!checked.ok)
        throw new AppError(
          'INVALID_INPUT',
          `The plan was not saved: ${checked.problems.join(' ')}`,
          { problems: checked.problems },
        );
      this.planning.adopt(entry, checked.tasks, checked.waves);
      await this.save(entry);
      return entry.squad;
    });
  }

  replan(id: string, feedback?: string): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      this.waiting(entry, 'it can be re-planned while its plan waits to run');
      await this.planning.replan(entry, feedback);
      return entry.squad;
    });
  }

  /** Steering: kept in the squad's notes (for the planner and tasks yet to start) and sent on. */
  message(id: string, text: string, taskId?: string): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      await steer(this.deps, entry, text, taskId ? this.task(entry, taskId) : null);
      await this.save(entry);
      return entry.squad;
    });
  }

  cancel(id: string): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      if (FINAL_SQUAD_STATES.has(entry.squad.state)) return entry.squad;
      if (entry.squad.state === 'planning' || entry.squad.state === 'planned')
        await this.planning.cancel(entry);
      else await this.execution.stopAll(entry, 'cancelled', 'the squad was cancelled.');
      this.deps.audit.record({
        severity: 'info',
        category: 'squad',
        group: entry.squad.groupName,
        message: `Squad ${id} cancelled`,
        details: { squad: id },
      });
      return entry.squad;
    });
  }

  cancelTask(id: string, taskId: string): Promise<Squad> {
    const entry = this.require(id);
    return this.serial(entry, async () => {
      const task = this.task(entry, taskId);
      if (entry.squad.state !== 'running')
        throw new AppError(
          'CONFLICT',
          entry.squad.state === 'planned'
            ? 'The plan has not started: edit the plan to remove the task.'
            : `Squad ${id} is ${entry.squad.state}; tasks can be cancelled while it runs.`,
        );
      await this.execution.cancelTask(entry, task);
      return entry.squad;
    });
  }

  /**
   * "Pause all agents" turned on: the sessions of planners and tasks at work now are about to be
   * asked to stop; when they end, they are started again (queued until the resume), not failed.
   */
  agentsPaused(): void {
    for (const { squad } of this.entries.values()) {
      const working = [
        squad.state === 'planning' ? squad.planner.session : null,
        ...squad.tasks.filter((t) => t.state === 'running').map((t) => t.session),
      ];
      for (const session of working)
        if (session && isWorking(this.deps.sessions.peek(session)))
          this.pausedSessions.add(session);
    }
  }

  /** The runtime or the image changed: running squads whose tasks waited try again. */
  resume(): void {
    for (const entry of this.entries.values())
      if (entry.squad.state === 'running' && entry.squad.error?.startsWith(WAITING_TO_START))
        void this.serial(entry, () => this.execution.pump(entry)).catch(() => undefined);
  }

  private sessionUpdated(session: Session): void {
    const owner = this.bySession.get(session.id);
    if (!owner || session.state !== 'ended') return;
    const entry = this.entries.get(owner.squad);
    if (!entry) return;
    void this.serial(entry, async () => {
      if (owner.task === null) await this.planning.plannerEnded(entry, session);
      else await this.execution.taskEnded(entry, owner.task, session);
    }).catch((error: unknown) => {
      if (!this.stopping)
        this.deps.logger.error({ err: error, squad: owner.squad }, 'A squad could not go on');
    });
  }

  /** Runs `work` once every earlier change of the squad is done; nothing new once aigo stops. */
  private serial<T>(entry: SquadEntry, work: () => Promise<T>): Promise<T> {
    const run = entry.lock.then(() =>
      this.stopping ? Promise.reject(new AppError('UNREACHABLE', 'aigo is stopping.')) : work(),
    );
    entry.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private waiting(entry: SquadEntry, what: string): void {
    const { state } = entry.squad;
    if (state === 'planned' || state === 'plan_failed') return;
    throw new AppError(
      'CONFLICT',
      state === 'planning'
        ? `The planner of squad ${entry.squad.id} is still working; ${what}. Wait for its plan, or cancel the squad.`
        : `Squad ${entry.squad.id} is ${state}; ${what}.`,
      { state },
    );
  }

  private save(entry: SquadEntry): Promise<void> {
    entry.squad.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(entry.squad);
    this.deps.bus.emit('squad.updated', snapshot);
    entry.writes = entry.writes
      .then(() => this.store.save(snapshot))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'Could not save a squad'));
    return entry.writes;
  }

  private require(id: string): SquadEntry {
    const entry = this.entries.get(id);
    if (!entry)
      throw new AppError(
        'NOT_FOUND',
        `No squad "${id}". GET /api/v1/container/squads lists them.`,
        {
          id,
        },
      );
    return entry;
  }

  private task(entry: SquadEntry, taskId: string) {
    const task = entry.squad.tasks.find((t) => t.id === taskId);
    if (!task)
      throw new AppError(
        'NOT_FOUND',
        `Squad ${entry.squad.id} has no task "${taskId}"; its tasks are ${entry.squad.tasks.map((t) => t.id).join(', ') || 'not planned yet'}.`,
      );
    return task;
  }
}
