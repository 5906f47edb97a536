import type { Session } from '../../../../shared/schemas/sessions';
import { MessageBox } from '../../components/MessageBox';
import { useApp } from '../../store';
import { useSessions } from './sessions-store';

/** A follow-up: steers a session that runs, resumes one that ended. */
export function SteerBox({ session }: { session: Session }) {
  const send = useSessions((s) => s.send);
  const busy = useSessions((s) => s.busy);
  const error = useSessions((s) => s.error);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const ended = session.state === 'ended';
  // The core refuses follow-ups while a session stops; it resumes once it has ended.
  const stopping = session.state === 'stopping';
  return (
    <MessageBox
      testId="steer"
      ariaLabel={ended ? 'Follow-up task' : 'Message to the agent'}
      placeholder={
        ended
          ? 'Continue this session: what should the agent do next?'
          : stopping
            ? 'Stopping… once it has ended you can resume it from here'
            : session.state === 'queued'
              ? 'Add to the task: the agent reads this when it starts'
              : 'Steer the agent: it reads this before its next step'
      }
      canEdit={canMutate}
      blocked={stopping}
      busy={busy === 'send'}
      error={error?.action === 'send' ? error.error : null}
      sendLabel={ended ? 'Resume with this' : 'Send'}
      send={send}
    />
  );
}
