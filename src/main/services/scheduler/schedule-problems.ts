import type { Diagnostic } from '../../../shared/schemas/diagnostics';
import type { Schedule, ScheduleRunLog } from '../../../shared/schemas/schedules';
import { duration, nextFire, systemTimezone } from './schedule-math';

/** A run that started this much after its time is worth a look. */
const LATE_MS = 5_000;

const at = (ms: number, zone: string) =>
  new Date(ms).toLocaleString('en-GB', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' });

/**
 * The guide's three scheduling problems, found by the app: a schedule that did not run (with
 * the cause from its log), a cron schedule in another zone than the system's, and runs that
 * start late.
 */
export function scheduleProblems(
  schedules: readonly Schedule[],
  lastLogs: ReadonlyMap<string, readonly ScheduleRunLog[]>,
  now = Date.now(),
): Diagnostic[] {
  const items: Diagnostic[] = [];
  const system = systemTimezone();
  for (const s of schedules) {
    const logs = lastLogs.get(s.id) ?? [];
    const last = logs.find((l) => l.status !== 'running');
    const base = { area: 'schedules', route: 'container/schedules' };
    if (
      s.enabled &&
      (s.lastStatus === 'failed' ||
        (s.lastStatus === 'skipped' && last?.error && !last.error.includes('still running')))
    ) {
      const cause = last?.error ?? 'see its run log';
      items.push({
        ...base,
        id: `schedule-failed-${s.id}`,
        status: 'warn',
        title: `Schedule "${s.name}" did not run last time`,
        detail: cause,
        fix: /runtime/i.test(cause)
          ? ['Check that the container runtime is available (Settings > Container > Runtime)']
          : /image/i.test(cause)
            ? ['Build the agent image: Settings > Container > Image > Rebuild Image']
            : /group/i.test(cause)
              ? ['Pick an existing group for the schedule, or create the group again']
              : ["Review the schedule's run logs: GET /api/v1/container/schedules/{id}/logs"],
      });
    }
    if (s.enabled && s.nextRun && Date.parse(s.nextRun) < now - 60_000)
      items.push({
        ...base,
        id: `schedule-overdue-${s.id}`,
        status: 'warn',
        title: `Schedule "${s.name}" is overdue`,
        detail: `It was due at ${s.nextRun} and has not started.`,
        fix: [
          'Verify enabled is true on the schedule',
          'Check that the container runtime is available',
        ],
      });
    if (s.schedule.type === 'cron' && s.timezone && s.timezone !== system) {
      const next = nextFire({
        spec: s.schedule,
        timezone: s.timezone,
        anchor: 0,
        lastScheduled: null,
        now,
      });
      items.push({
        ...base,
        id: `schedule-zone-${s.id}`,
        status: 'info',
        title: `Schedule "${s.name}" runs in ${s.timezone}, not this computer's ${system}`,
        detail: next ? `Next run: ${at(next, s.timezone)} there, ${at(next, system)} here.` : '',
        fix: [
          "Remember that cron uses the schedule's zone; clear the timezone to use local system time",
        ],
      });
    }
    const late = Math.max(0, ...logs.map((l) => l.lateByMs));
    if (late > LATE_MS)
      items.push({
        ...base,
        id: `schedule-late-${s.id}`,
        status: 'warn',
        title: `Schedule "${s.name}" started up to ${duration(late)} late in its last runs`,
        detail:
          'Its next runs are computed from the scheduled time, so lateness does not add up; but something held it back.',
        fix: [
          'Verify the system clock is accurate (sync with NTP), and whether the computer was asleep',
          'Check for excessively long task executions: a run still going when the next is due is skipped',
        ],
      });
  }
  return items;
}
