import { useEffect, useState } from 'react';
import type { Session, TranscriptItem } from '../../../../shared/schemas/sessions';
import { tryCall, type ErrorInfo } from '../../call';
import { useApp } from '../../store';
import { mergeItems, upsertItem } from '../cowork/transcript';

export interface SessionFeed {
  session: Session | null;
  items: TranscriptItem[];
  loading: boolean;
  error: ErrorInfo | null;
}

const NONE: SessionFeed = { session: null, items: [], loading: false, error: null };

const newer = (a: Session | null, b: Session) => (a && a.updatedAt > b.updatedAt ? a : b);

/**
 * One session followed live (a task's or the planner's), apart from Cowork's own: opening a
 * task here must not change the session Cowork's nav link returns to. Reloads after every
 * reconnection; steps that arrive while `sessions.get` is on its way are merged into its answer.
 */
export function useSessionFeed(id: string | null): SessionFeed {
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch);
  const [feed, setFeed] = useState<SessionFeed & { id: string | null }>({ ...NONE, id: null });

  useEffect(() => {
    if (!transport || !id) return;
    let live = true;
    /** Steps pushed before the answer came; null once it has. */
    let early: TranscriptItem[] | null = [];
    // A reload (reconnection) keeps what is shown until the answer replaces it.
    setFeed((f) => (f.id === id ? { ...f, loading: true } : { ...NONE, id, loading: true }));
    const off = transport.subscribe((event) => {
      if (event.name === 'session.transcript' && event.payload.session === id) {
        const { item } = event.payload;
        if (early) early.push(item);
        else setFeed((f) => ({ ...f, items: upsertItem(f.items, item) }));
      } else if (event.name === 'session.updated' && event.payload.id === id) {
        const session = event.payload;
        setFeed((f) => ({ ...f, session: newer(f.session, session) }));
      }
    });
    void tryCall(() => transport.call('sessions.get', { id })).then((outcome) => {
      if (!live) return;
      const later = early ?? [];
      early = null;
      if (outcome.ok) {
        const { transcript, ...session } = outcome.value;
        setFeed((f) => ({
          id,
          session: newer(f.session, session),
          items: mergeItems(transcript, later),
          loading: false,
          error: null,
        }));
      } else setFeed((f) => ({ ...f, loading: false, error: outcome.error }));
    });
    return () => {
      live = false;
      off();
    };
  }, [transport, epoch, id]);

  if (!id || feed.id !== id) return id ? { ...NONE, loading: true } : NONE;
  return feed;
}
