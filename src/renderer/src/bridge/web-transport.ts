import { eventNames, EVENTS_PATH, type AnyEvent } from '../../../shared/contract';
import { createHttpCaller } from '../../../shared/contract/http-client';
import type { ConnectionState, Transport } from './transport';

export const TOKEN_STORAGE_KEY = 'aigo.apiToken';

/**
 * `aigo serve` prints a link with the API token in the URL fragment (never sent to a server).
 * Move it to session storage and clean the address bar so it is not bookmarked or shared.
 */
export function adoptTokenFromLocation(
  location: Location,
  storage: Storage,
  history: History,
): void {
  const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  storage.setItem(TOKEN_STORAGE_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

export function createWebTransport(storage: Storage): Transport {
  const token = () => storage.getItem(TOKEN_STORAGE_KEY);
  const call = createHttpCaller({ baseUrl: '', token });
  const listeners = new Set<(event: AnyEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | null = null;
  let state: ConnectionState = 'connecting';

  const setState = (next: ConnectionState) => {
    if (next === state && next !== 'online') return;
    state = next;
    for (const l of connectionListeners) l(next);
  };
  const ensureSource = () => {
    if (source) return;
    // EventSource cannot send headers; where reads need the token, it travels in the query.
    const current = token();
    source = new EventSource(
      current ? `${EVENTS_PATH}?token=${encodeURIComponent(current)}` : EVENTS_PATH,
    );
    // EventSource reconnects by itself; each `open` after an error means we may have missed events.
    source.onopen = () => setState('online');
    source.onerror = () => setState('offline');
    for (const name of eventNames) {
      source.addEventListener(name, (message) => {
        const payload = JSON.parse((message as MessageEvent<string>).data) as unknown;
        for (const l of listeners) l({ name, payload } as AnyEvent);
      });
    }
  };

  return {
    kind: 'web',
    call: (name, input) => call(name, input),
    subscribe(listener) {
      listeners.add(listener);
      ensureSource();
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      ensureSource();
      return () => connectionListeners.delete(listener);
    },
    canMutate: () => Boolean(token()),
  };
}
