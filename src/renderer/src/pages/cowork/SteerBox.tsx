import { useState } from 'react';
import type { Session } from '../../../../shared/schemas/sessions';
import { ErrorBox, Spinner } from '../../components/ui';
import { useApp } from '../../store';
import { isSubmitKey, SUBMIT_HINT } from './Composer';
import { useSessions } from './sessions-store';

/** A follow-up: steers a session that runs, resumes one that ended. */
export function SteerBox({ session }: { session: Session }) {
  const [text, setText] = useState('');
  const send = useSessions((s) => s.send);
  const busy = useSessions((s) => s.busy);
  const error = useSessions((s) => s.error);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const ended = session.state === 'ended';
  // The core refuses follow-ups while a session stops; it resumes once it has ended.
  const stopping = session.state === 'stopping';
  const disabled = !canMutate || stopping || busy === 'send' || text.trim() === '';

  const submit = async () => {
    if (disabled) return;
    if (await send(text)) setText('');
  };

  return (
    <form
      className="steer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {error?.action === 'send' ? <ErrorBox error={error.error} testId="steer-error" /> : null}
      <div className="steer-row">
        <textarea
          data-testid="steer-input"
          aria-label={ended ? 'Follow-up task' : 'Message to the agent'}
          rows={2}
          placeholder={
            ended
              ? 'Continue this session: what should the agent do next?'
              : stopping
                ? 'Stopping… once it has ended you can resume it from here'
                : session.state === 'queued'
                  ? 'Add to the task: the agent reads this when it starts'
                  : 'Steer the agent: it reads this before its next step'
          }
          value={text}
          disabled={!canMutate}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (isSubmitKey(e)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          className="button primary"
          data-testid="steer-send"
          disabled={disabled}
          title={`${SUBMIT_HINT} sends`}
        >
          {busy === 'send' ? <Spinner /> : null}
          {ended ? 'Resume with this' : 'Send'}
        </button>
      </div>
    </form>
  );
}
