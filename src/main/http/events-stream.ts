import { EVENTS_PATH } from '../../shared/contract/define';
import type { EventBus } from '../services/events/event-bus';
import type { Routes } from './exchange';
import { requireToken } from './security';

const HEARTBEAT_MS = 15_000;

/**
 * A client that reads slower than events come (a stopped tab, a stalled tunnel) is cut off once
 * this much waits for it, rather than growing the app's memory; EventSource reconnects by itself.
 */
export const MAX_UNSENT_EVENT_BYTES = 1024 * 1024;

/**
 * Pushes every core event to web clients as server-sent events (`event: runtime.changed`).
 * Returns a function that ends all open streams, for shutdown.
 */
export function registerEventStream(
  routes: Routes,
  bus: EventBus,
  guard: { token: () => string; readsNeedToken: () => boolean },
): () => void {
  const closers = new Set<() => void>();
  routes.on('GET', EVENTS_PATH, (exchange) => {
    if (guard.readsNeedToken()) requireToken(exchange, guard.token(), 'read');
    const { req, res } = exchange;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (text: string) => {
      if (res.writableLength > MAX_UNSENT_EVENT_BYTES) return close(true);
      res.write(text);
    };
    const unsubscribe = bus.subscribe((event) =>
      write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`),
    );
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    let closed = false;
    function close(cut = false): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      closers.delete(close);
      // A client that stopped reading would keep the socket, and what waits for it, forever.
      if (cut) res.destroy();
      else if (!res.writableEnded) res.end();
    }
    closers.add(close);
    req.once('close', () => close());
    res.once('close', () => close());
    res.write(': connected\n\n');
  });
  return () => {
    for (const close of [...closers]) close();
  };
}
