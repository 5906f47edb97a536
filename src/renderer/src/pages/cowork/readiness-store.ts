import { create } from 'zustand';
import type { AnyEvent } from '../../../../shared/contract';
import type { ProxyStatus } from '../../../../shared/schemas/proxy';
import { transport } from '../../call';
import { useImage } from '../container/image/image-store';

/** What an agent needs besides a runtime (which the app store has): the image and an API key. */
export const useReadiness = create<{ proxy: ProxyStatus | null; load(): Promise<void> }>()(
  (set) => ({
    proxy: null,
    async load() {
      // Only informs the user: a failure here must not raise an error banner.
      const [proxy] = await Promise.allSettled([
        transport().call('proxy.status'),
        useImage.getState().load(),
      ]);
      if (proxy.status === 'fulfilled') set({ proxy: proxy.value });
    },
  }),
);

export function onReadinessEvent(event: AnyEvent): void {
  if (event.name === 'image.changed') useImage.getState().set(event.payload);
  else if (event.name === 'proxy.changed') useReadiness.setState({ proxy: event.payload });
}
