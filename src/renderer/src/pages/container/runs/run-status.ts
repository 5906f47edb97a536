import type { RunStatus } from '../../../../../shared/schemas/sessions';

export const RUN_STATUS: Record<
  RunStatus,
  { label: string; tone: 'ok' | 'bad' | 'warn' | 'muted' }
> = {
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  timeout: { label: 'Timed out', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
};
