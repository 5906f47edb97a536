import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import type { Settings } from '../../../shared/schemas/settings';
import type { Session, SessionDetail } from '../../../shared/schemas/sessions';
import type { PlanTask, Squad, SquadState } from '../../../shared/schemas/squads';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { GroupsService } from '../groups/groups-service';
import type { RunOverrides } from '../sessions/session-book';
import { checkPlan } from './plan-check';
import { SquadExecution } from './squad-execution';
import { SquadPlanning } from './squad-planning';
import { SquadStore } from './squad-store';

/** What squads need of agent sessions: each planner run and each task is one. */
export interface SquadSessions {
  create(input: {
    group: string;
    prompt: string;
    trigger: 'squad';
    overrides: RunOverrides;
  }): Promise<Session>;
  message(id: string, text: string, overrides?: RunOverrides): Promise<Session>;
  close(id: string): Promise<Session>;
  get(id: string): Promise<SessionDetail>;
  peek(id: string): Session | null;
}

export interface SquadServiceDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  groups: GroupsService;
  sessions: SquadSessions;
  settings: () => Settings['squads'];
  /** The host folder a group's agents see as /workspace. */
  workspaceOf: (groupId: string) => string | null;
}

export interface SquadEntry {
  squad: Squad;
  /** Repairs the planner may still be asked for in this planning round. */
  repairsLeft: number;
  executionTimer: NodeJS.Timeout | null;
  writes: Promise<void>;
}

/** Notes go into every later task's prompt: a bound keeps those prompts within reason. */
const MAX_STEERING = 100;

export const FINAL_SQUAD_STATES: ReadonlySet<SquadState> = new Set([
  'succeeded',
  'failed',
  'timeout',
  'cancelled',
  'plan_failed',
]);

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

  constructor(private readonly deps: SquadServiceDeps) {
    this.store = new SquadStore(deps.dataDir);
    const book = {
      save: (entry: SquadEntry) => this.save(entry),
      track: (session: string, squad: string, task: string | null) =>
        this.bySession.set(session, { squad, task }),
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
      };
      this.entries.set(squad.id, entry);
      if (squad.planner.session)
        this.bySession.set(squad.planner.session, { squad: squad.id, task: null });
      for (const task of squad.tasks)
        if (task.session) this.bySession.set(task.session, { squad: squad.id, task: task.id });
    }
    this.off = this.deps.bus.on('session.updated', (session) => void this.sessionUpdated(session));
    // aigo stopped while these worked: their sessions have ended since (see SessionService.start).
    for (const entry of this.entries.values()) {
      if (entry.squad.state === 'planning') await this.planning.recover(entry);
      else await this.execution.recover(entry);
    }
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = null;
    for (const entry of this.entries.values()) {
      if (entry.executionTimer) clearTimeout(entry.executionTimer);
      entry.executionTimer = null;
    }
    await Promise.all([...this.entries.values()].map((e) => e.writes));
  }

  list(filter: { state?: SquadState; limit?: number } = {}): Squad[] {
    return [...this.entries.values()]
      .map((e) => e.squad)
      .filter((s) => !filter.state || s.state === filter.state)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, filter.limit ?? 100);
  }

  get(id: string): Squad {
    return this.require(id).squad;
  }

  async create(input: {
    group: string;
    goal: string;
    maxConcurrent?: number | undefined;
    maxTasks?: number | undefined;
    taskTimeoutSecs?: number | undefined;
    executionTimeoutSecs?: number | undefined;
    autoRun: boolean;
  }): Promise<Squad> {
    const group = this.deps.groups.get(input.group);
    const defaults = this.deps.settings();
    const now = new Date();
    const squad: Squad = {
      id: newSquadId(now),
      group: group.id,
      groupName: group.name,
      goal: input.goal,
      state: 'planning',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      startedAt: null,
      endedAt: null,
      limits: {
        maxConcurrent: input.maxConcurrent ?? defaults.maxConcurrent,
        maxTasks: input.maxTasks ?? defaults.maxTasks,
        taskTimeoutSecs: input.taskTimeoutSecs ?? defaults.taskTimeoutSecs,
        executionTimeoutSecs: input.executionTimeoutSecs ?? defaults.executionTimeoutSecs,
      },
      autoRun: input.autoRun,
      planner: { session: null, attempts: 0, problems: [] },
      tasks: [],
      waves: [],
      steering: [],
      result: null,
      error: null,
    };
    const entry: SquadEntry = {
      squad,
      repairsLeft: 1,
      executionTimer: null,
      writes: Promise.resolve(),
    };
    this.entries.set(squad.id, entry);
    this.deps.audit.record({
      severity: 'info',
      category: 'squad',
      group: group.name,
      message: `Squad ${squad.id} started: the planner splits the goal into tasks`,
      details: { squad: squad.id, ...squad.limits },
    });
    await this.planning.plan(entry);
    return entry.squad;
  }

  /** Runs a planned squad. */
  async run(id: string): Promise<Squad> {
    const entry = this.require(id);
    if (entry.squad.state !== 'planned')
      throw new AppError(
        'CONFLICT',
        `Squad ${id} is ${entry.squad.state}; only a planned squad can be run.`,
        { state: entry.squad.state },
      );
    await this.execution.run(entry);
    return entry.squad;
  }

  /** The user's own plan, checked as the planner's is. */
  async updatePlan(id: string, tasks: PlanTask[]): Promise<Squad> {
    const entry = this.require(id);
    if (entry.squad.state !== 'planned' && entry.squad.state !== 'plan_failed')
      throw new AppError(
        'CONFLICT',
        `Squad ${id} is ${entry.squad.state}; a plan can be edited while it waits to run.`,
        { state: entry.squad.state },
      );
    const checked = checkPlan(tasks, entry.squad.limits.maxTasks);
    if (!checked.ok)
      throw new AppError('INVALID_INPUT', `The plan was not saved: ${checked.problems.join(' ')}`, {
        problems: checked.problems,
      });
    this.planning.adopt(entry, checked.tasks, checked.waves);
    await this.save(entry);
    return entry.squad;
  }

  async replan(id: string, feedback?: string): Promise<Squad> {
    const entry = this.require(id);
    if (entry.squad.state !== 'planned' && entry.squad.state !== 'plan_failed')
      throw new AppError(
        'CONFLICT',
        `Squad ${id} is ${entry.squad.state}; it can be re-planned while its plan waits to run.`,
        { state: entry.squad.state },
      );
    await this.planning.replan(entry, feedback);
    return entry.squad;
  }

  /** Steering: kept in the squad's notes (for the planner and tasks yet to start) and sent on. */
  async message(id: string, text: string, taskId?: string): Promise<Squad> {
    const entry = this.require(id);
    const { squad } = entry;
    if (FINAL_SQUAD_STATES.has(squad.state))
      throw new AppError('CONFLICT', `Squad ${id} has ended (${squad.state}); nothing to steer.`);
    const task = taskId ? this.task(entry, taskId) : null;
    if (task && task.state !== 'pending' && task.state !== 'running')
      throw new AppError(
        'CONFLICT',
        `Task "${task.id}" has ended (${task.state}); steer a task that waits or runs.`,
      );
    if (squad.steering.length >= MAX_STEERING)
      throw new AppError(
        'CONFLICT',
        `Squad ${id} already has ${MAX_STEERING} steering notes; steer one task, or cancel and start a squad with a clearer goal.`,
      );
    squad.steering.push({ time: new Date().toISOString(), text, task: task?.id ?? null });
    const targets = task
      ? [task.session]
      : [
          squad.state === 'planning' ? squad.planner.session : null,
          ...squad.tasks.filter((t) => t.state === 'running').map((t) => t.session),
        ];
    for (const session of targets)
      if (session && isWorking(this.deps.sessions.peek(session)))
        await this.deps.sessions.message(session, text).catch((error: unknown) => {
          // Stopping right now: the note stays in the squad's steering for what comes next.
          this.deps.logger.info({ err: error, session }, 'Steering not delivered to a session');
        });
    await this.save(entry);
    return squad;
  }

  async cancel(id: string): Promise<Squad> {
    const entry = this.require(id);
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
  }

  async cancelTask(id: string, taskId: string): Promise<Squad> {
    const entry = this.require(id);
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
  }

  private async sessionUpdated(session: Session): Promise<void> {
    const owner = this.bySession.get(session.id);
    if (!owner || session.state !== 'ended') return;
    const entry = this.entries.get(owner.squad);
    if (!entry) return;
    try {
      if (owner.task === null) await this.planning.plannerEnded(entry, session);
      else await this.execution.taskEnded(entry, owner.task, session);
    } catch (error) {
      this.deps.logger.error({ err: error, squad: owner.squad }, 'A squad could not go on');
    }
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

/** A session that takes steering now (not queued to resume, not stopping). */
export function isWorking(session: Session | null): boolean {
  return !!session && ['starting', 'running', 'idle', 'queued'].includes(session.state);
}

export function newSquadId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `sq-${stamp}-${randomBytes(3).toString('hex')}`;
}
