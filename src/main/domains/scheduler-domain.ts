import type { Logger } from 'pino';
import type { Handlers } from '../dispatch';
import { createScheduleHandlers } from '../handlers/schedules';
import type { ScheduleOperationName } from '../../shared/contract';
import type { WarningCenter } from '../services/app/warnings';
import type { AuditLog } from '../services/audit/audit-log';
import type { EventBus } from '../services/events/event-bus';
import { SchedulerService } from '../services/scheduler/scheduler-service';
import { SchedulerTaskRouter } from '../services/scheduler/task-router';
import { scheduleProblems } from '../services/scheduler/schedule-problems';
import type { Diagnostic } from '../../shared/schemas/diagnostics';
import type { ScheduleRunLog } from '../../shared/schemas/schedules';
import type { SessionsDomain } from './sessions-domain';

export interface SchedulerDomainDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  agents: SessionsDomain;
}

export interface SchedulerDomain {
  scheduler: SchedulerService;
  handlers: Pick<Handlers, ScheduleOperationName>;
  /** The guide's scheduling problems, for Health and `aigo doctor`. */
  diagnostics(): Promise<Diagnostic[]>;
  stop(): Promise<void>;
}

/** Schedules: a due one starts a session through the sessions domain; agents' task files reach it. */
export async function startSchedulerDomain(deps: SchedulerDomainDeps): Promise<SchedulerDomain> {
  const { sessions, runs, groups } = deps.agents;
  const scheduler = new SchedulerService({
    dataDir: deps.dataDir,
    bus: deps.bus,
    audit: deps.audit,
    logger: deps.logger.child({ scope: 'scheduler' }),
    warnings: deps.warnings,
    groups,
    sessions: {
      start: async (req) => {
        const overrides = {
          timeoutSecs: req.timeoutSecs,
          ...(req.image ? { image: req.image } : {}),
        };
        if (req.resume && sessions.exists(req.resume)) {
          const resumed = await sessions.message(req.resume, req.prompt, overrides);
          return resumed.id;
        }
        const created = await sessions.create({
          group: req.group,
          prompt: req.prompt,
          trigger: 'schedule',
          overrides,
        });
        return created.id;
      },
      active: (id) => sessions.isActive(id),
      outputTail: async (id) =>
        (await runs.query({ session: id, limit: 1 })).runs[0]?.outputTail ?? '',
    },
  });
  await scheduler.start();
  deps.agents.setTaskRouter(new SchedulerTaskRouter(scheduler, groups, deps.audit));
  return {
    scheduler,
    handlers: createScheduleHandlers(scheduler),
    diagnostics: async () => {
      const logs = new Map<string, ScheduleRunLog[]>();
      for (const s of scheduler.list()) logs.set(s.id, await scheduler.logs.list(s.id, 10));
      return scheduleProblems(scheduler.list(), logs);
    },
    stop: () => scheduler.stop(),
  };
}
