import type { Logger } from 'pino';
import type { Group } from '../../../shared/schemas/groups';
import type { Settings } from '../../../shared/schemas/settings';
import type { Session, SessionDetail } from '../../../shared/schemas/sessions';
import type { Squad, SquadState, SquadTask } from '../../../shared/schemas/squads';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { GroupsService } from '../groups/groups-service';
import type { RunOverrides } from '../sessions/session-book';
import { newSessionId } from '../sessions/session-files';

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
  /**
   * Why a session of the group cannot start now (no runtime, no agent image): tasks then wait
   * instead of failing one after another, and start when it is solved (`resume`).
   */
  startProblem?: (groupId: string) => string | null;
}

export interface SquadEntry {
  squad: Squad;
  /** Repairs the planner may still be asked for in this planning round. */
  repairsLeft: number;
  executionTimer: NodeJS.Timeout | null;
  writes: Promise<void>;
  /** One change at a time per squad: user operations and session events wait their turn. */
  lock: Promise<void>;
}

export const FINAL_SQUAD_STATES: ReadonlySet<SquadState> = new Set([
  'succeeded',
  'failed',
  'timeout',
  'cancelled',
  'plan_failed',
]);

export interface NewSquad {
  goal: string;
  maxConcurrent?: number | undefined;
  maxTasks?: number | undefined;
  taskTimeoutSecs?: number | undefined;
  executionTimeoutSecs?: number | undefined;
  autoRun: boolean;
}

/** A squad as it starts: planning, with the asked limits or the settings' defaults. */
export function newSquad(group: Group, input: NewSquad, defaults: Settings['squads']): Squad {
  const now = new Date();
  return {
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
}

/** A session that takes steering now (not queued to resume, not stopping). */
export function isWorking(session: Session | null): boolean {
  return !!session && ['starting', 'running', 'idle', 'queued'].includes(session.state);
}

/** A session id's form (sortable by start), marked as a squad's. */
export function newSquadId(now = new Date()): string {
  return `sq-${newSessionId(now)}`;
}

/** How a running squad's error says its tasks wait for the runtime or image. */
export const WAITING_TO_START = 'Tasks wait to start: ';

/** A task's run fields before it starts: no session, times, reason or output. */
export const NOT_STARTED = {
  state: 'pending',
  session: null,
  startedAt: null,
  endedAt: null,
  reason: null,
  output: null,
} as const satisfies Partial<SquadTask>;
