import type { ScheduleRunStatus } from '../../../../../shared/schemas/schedules';

export const SCHEDULE_STATUS: Record<
  ScheduleRunStatus,
  { label: string; tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info' }
> = {
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  timeout: { label: 'Timed out', tone: 'bad' },
  skipped: { label: 'Skipped', tone: 'warn' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
};
