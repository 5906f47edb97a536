import { useEffect } from 'react';
import type { AnyEvent } from '../../shared/contract';
import { useApp } from './store';

/**
 * Loads a section's data once connected, again after every reconnection (events may have been
 * missed), and hands each pushed event to `onEvent` meanwhile. Pass stable functions (store
 * actions), so the effect runs only when the connection changes.
 */
export function useLive(load: () => Promise<void>, onEvent: (event: AnyEvent) => void): void {
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch);
  useEffect(() => {
    if (!transport) return;
    void load();
    return transport.subscribe(onEvent);
  }, [transport, epoch, load, onEvent]);
}
