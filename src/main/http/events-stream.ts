import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { EVENTS_PATH } from '../../shared/contract';
import type { EventBus } from '../services/events/event-bus';
import { requireToken } from './security';

const HEARTBEAT_MS = 15_000;

/**
 * Pushes every core event to web clients as server-sent events (`event: runtime.changed`).
 * Returns a function that ends all open streams, for shutdown.
 */
export function registerEventStream(
  app: Hono,
  bus: EventBus,
  guard: { token: () => string; readsNeedToken: () => boolean },
): () => void {
  const closers = new Set<() => void>();
  app.get(EVENTS_PATH, (c) => {
    if (guard.readsNeedToken()) requireToken(c, guard.token(), 'read');
    return streamSSE(c, async (stream) => {
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const unsubscribe = bus.subscribe((event) => {
        void stream
          .writeSSE({ event: event.name, data: JSON.stringify(event.payload) })
          .catch(() => done());
      });
      const heartbeat = setInterval(
        () => void stream.write(': keep-alive\n\n').catch(() => done()),
        HEARTBEAT_MS,
      );
      heartbeat.unref();
      closers.add(done);
      stream.onAbort(() => done());
      await stream.write(': connected\n\n');
      await finished;
      clearInterval(heartbeat);
      unsubscribe();
      closers.delete(done);
    });
  });
  return () => {
    for (const close of [...closers]) close();
  };
}
