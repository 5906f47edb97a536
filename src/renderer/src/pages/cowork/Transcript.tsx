import { useLayoutEffect, useRef, useState } from 'react';
import type { Session, TranscriptItem } from '../../../../shared/schemas/sessions';
import { Spinner } from '../../components/ui';
import { TranscriptItemView } from './TranscriptItem';

/** How close to the bottom still counts as "following the newest step". */
const NEAR_BOTTOM_PX = 60;

/**
 * The session's steps, oldest first. It follows the newest step while the user is at the
 * bottom; scrolled up, it stays put and offers a way back down.
 */
export function Transcript({
  session,
  items,
  loading,
}: {
  session: Session | null;
  items: TranscriptItem[];
  loading: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const active = session !== null && session.state !== 'ended';
  const working = session !== null && ['starting', 'running', 'stopping'].includes(session.state);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [items, following, session?.state, session?.progress.activity]);

  const jump = () => {
    const el = ref.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    setFollowing(true);
  };

  return (
    <div className="transcript-wrap">
      <div
        ref={ref}
        className="transcript"
        data-testid="transcript"
        onScroll={(e) => {
          const el = e.currentTarget;
          setFollowing(el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX);
        }}
      >
        {items.length === 0 ? (
          <div className="empty transcript-empty">
            {loading ? (
              <>
                <Spinner /> Loading the session…
              </>
            ) : active ? (
              <>
                <Spinner /> Waiting for the agent’s first step…
              </>
            ) : (
              'This session has no recorded steps.'
            )}
          </div>
        ) : (
          <ol className="t-list">
            {items.map((item) => (
              <TranscriptItemView key={item.id} item={item} />
            ))}
          </ol>
        )}
        {working && items.length > 0 ? (
          <div className="t-working muted" aria-live="polite">
            <Spinner />{' '}
            {session?.state === 'starting'
              ? 'Starting the container…'
              : (session?.progress.activity ?? 'Working…')}
          </div>
        ) : null}
      </div>
      {!following ? (
        <button type="button" className="button small jump-newest" onClick={jump}>
          ↓ Newest step
        </button>
      ) : null}
    </div>
  );
}
