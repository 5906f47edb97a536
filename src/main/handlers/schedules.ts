import type { Handlers } from '../dispatch';
import type { ScheduleOperationName } from '../../shared/contract';
import {
  checkSpec,
  checkTimezone,
  describeSpec,
  nextFires,
} from '../services/scheduler/schedule-math';
import type { SchedulerService } from '../services/scheduler/scheduler-service';

/** Schedules: each operation is one call into the scheduler. */
export function createScheduleHandlers(
  scheduler: SchedulerService,
): Pick<Handlers, ScheduleOperationName> {
  return {
    'schedules.list': () => ({ schedules: scheduler.list() }),
    'schedules.get': ({ id }) => scheduler.get(id),
    'schedules.create': (input) => scheduler.create(input),
    'schedules.update': (input) => scheduler.update(input),
    'schedules.delete': async ({ id }) => {
      await scheduler.delete(id);
      return { ok: true as const };
    },
    'schedules.run': ({ id }) => scheduler.runNow(id),
    'schedules.pause': ({ id }) => scheduler.setEnabled(id, false),
    'schedules.resume': ({ id }) => scheduler.setEnabled(id, true),
    'schedules.logs': async ({ id, limit }) => {
      const schedule = scheduler.get(id);
      const running = scheduler.runningEntry(schedule.id);
      const logs = await scheduler.logs.list(schedule.id, limit);
      return { logs: running ? [running, ...logs].slice(0, limit) : logs };
    },
    'schedules.preview': ({ schedule, timezone }) => {
      try {
        checkSpec(schedule, timezone);
        const zone = checkTimezone(timezone);
        return {
          valid: true,
          description: describeSpec(schedule, timezone),
          nextRuns: nextFires(
            { spec: schedule, timezone, anchor: Date.now(), now: Date.now() },
            5,
          ).map((t) => new Date(t).toISOString()),
          timezone: zone,
          error: null,
        };
      } catch (error) {
        return {
          valid: false,
          description: '',
          nextRuns: [],
          timezone: timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
          error: (error as Error).message,
        };
      }
    },
  };
}
