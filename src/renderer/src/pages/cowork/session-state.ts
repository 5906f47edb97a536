import type { RunStatus, Session } from '../../../../shared/schemas/sessions';
import { ordinal } from '../../format';

type Tone = 'ok' | 'bad' | 'warn' | 'muted' | 'info';

const ENDED: Record<RunStatus, { label: string; tone: Tone }> = {
  succeeded: { label: 'Done', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  timeout: { label: 'Timed out', tone: 'bad' },
  cancelled: { label: 'Stopped', tone: 'muted' },
};

/** The state as a badge (label, tone) and a line saying what happens now. */
export function describeState(session: Session): { label: string; tone: Tone; detail: string } {
  const { progress } = session;
  switch (session.state) {
    case 'queued':
      return {
        label: 'Queued',
        tone: 'muted',
        detail:
          session.queuePosition === null
            ? 'Waiting for a free slot'
            : session.queuePosition === 1
              ? '1st in queue — starts next'
              : `${ordinal(session.queuePosition)} in queue`,
      };
    case 'starting':
      return { label: 'Starting', tone: 'info', detail: 'Starting the container…' };
    case 'running':
      return {
        label: 'Running',
        tone: 'info',
        detail: [
          progress.turn > 0 ? `turn ${progress.turn}` : null,
          progress.toolCalls > 0
            ? `${progress.toolCalls} tool call${progress.toolCalls === 1 ? '' : 's'}`
            : null,
          progress.activity,
        ]
          .filter(Boolean)
          .join(' · '),
      };
    case 'idle':
      return {
        label: 'Idle',
        tone: 'ok',
        detail: progress.activity ?? 'Answered; waiting for a follow-up',
      };
    case 'stopping':
      return { label: 'Stopping', tone: 'muted', detail: 'Finishing its step, then stopping…' };
    case 'ended': {
      const end = session.lastStatus ? ENDED[session.lastStatus] : null;
      return {
        label: end?.label ?? 'Ended',
        tone: end?.tone ?? 'muted',
        detail: `${session.runs > 1 ? `After ${session.runs} runs. ` : ''}A follow-up below resumes it.`,
      };
    }
  }
}

/** A short status for the sidebar list. */
export function listStatus(session: Session): { label: string; tone: Tone } {
  if (session.state === 'queued' && session.queuePosition !== null)
    return { label: `${ordinal(session.queuePosition)} in queue`, tone: 'muted' };
  const { label, tone } = describeState(session);
  return { label, tone };
}

export const TRIGGER_LABEL = {
  manual: 'Cowork',
  schedule: 'Schedule',
  channel: 'Chat',
  squad: 'Squad',
} as const;
