import { useEffect, useState } from 'react';
import type { AnyEvent } from '../../../../shared/contract';
import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { tryCall } from '../../call';
import { useApp } from '../../store';

export interface ChannelsView {
  channels: ChannelStatus[];
  unmappedChats: 'ignore' | 'default_group';
  contextMessages: number;
  telegramMode: { mode: 'polling' | 'webhook'; publicUrl: string | null };
}

/** Every channel's status, kept live by the `channel.updated` events. */
export function useChannels(): {
  view: ChannelsView | null;
  replace: (next: ChannelStatus) => void;
  reload: () => void;
} {
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch);
  const [view, setView] = useState<ChannelsView | null>(null);
  const [generation, setGeneration] = useState(0);
  const replace = (next: ChannelStatus) =>
    setView((v) =>
      v ? { ...v, channels: v.channels.map((c) => (c.name === next.name ? next : c)) } : v,
    );
  useEffect(() => {
    if (!transport) return;
    let live = true;
    void tryCall(() => transport.call('channels.list')).then((o) => {
      if (live && o.ok) setView(o.value);
    });
    const off = transport.subscribe((event: AnyEvent) => {
      if (event.name === 'channel.updated') replace(event.payload);
    });
    return () => {
      live = false;
      off();
    };
  }, [transport, epoch, generation]);
  return { view, replace, reload: () => setGeneration((g) => g + 1) };
}

export { CHANNEL_TITLE } from '../../../../shared/schemas/channels';
