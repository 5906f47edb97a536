import type { ChannelName } from '../../../../shared/schemas/channels';
import { transport, tryCall } from '../../call';
import { Card } from '../../components/ui';
import { CHANNEL_IDS, type ChannelTab } from '../../route';
import { useApp } from '../../store';
import { ChannelStatusCard } from './ChannelStatusCard';
import { CHANNEL_TITLE, useChannels } from './channel-store';
import { ChatsCard } from './ChatsCard';
import { TelegramCredentials } from './TelegramCredentials';
import { TelegramDelivery } from './TelegramDelivery';
import { DiscordCredentials } from './DiscordCredentials';
import { SlackCredentials } from './SlackCredentials';
import { WhatsAppCredentials } from './WhatsAppCredentials';

/** Settings > Channels: one tab per platform — its status, credentials, chats and set-up steps. */
export function ChannelsPage({ channel }: { channel: ChannelTab }) {
  const { view, replace, reload } = useChannels();
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const status = view?.channels.find((c) => c.name === channel) ?? null;
  return (
    <div className="page" data-testid="page-channels">
      <h1>Channels</h1>
      <nav className="tabs" aria-label="Channels">
        {CHANNEL_IDS.map((id) => (
          <a
            key={id}
            href={`#/channels/${id}`}
            className={`tab${id === channel ? ' active' : ''}`}
            data-testid={`tab-channel-${id}`}
          >
            {CHANNEL_TITLE[id]}
          </a>
        ))}
      </nav>
      <p className="muted">
        Talk to your agents from chat apps. A chat reaches an agent only once you map it to a group
        (below, once it has written in); the group&apos;s trigger word, sender allowlist and folders
        apply.
      </p>
      {!view || !status ? (
        <p>Loading…</p>
      ) : (
        <>
          <ChannelStatusCard status={status} onChange={replace} />
          {channel === 'telegram' ? (
            <>
              <TelegramCredentials status={status} onChange={replace} />
              <TelegramDelivery saved={view.telegramMode} onChange={replace} />
            </>
          ) : channel === 'whatsapp' ? (
            <WhatsAppCredentials status={status} onChange={replace} />
          ) : channel === 'slack' ? (
            <SlackCredentials status={status} onChange={replace} />
          ) : (
            <DiscordCredentials status={status} onChange={replace} />
          )}
          <ChatsCard status={status} onChange={replace} />
          <Card title="Chats no group lists" testId="channel-routing">
            <label className="form">
              <span>When a chat that no group lists writes in</span>
              <select
                data-testid="unmapped-chats"
                value={view.unmappedChats}
                disabled={!canMutate}
                onChange={(e) => {
                  const unmappedChats = e.target.value as 'ignore' | 'default_group';
                  void tryCall(() => transport().call('channels.routing', { unmappedChats })).then(
                    reload,
                  );
                }}
              >
                <option value="ignore">Ignore it (safest: anyone can find a public bot)</option>
                <option value="default_group">Hand it to the main group&apos;s agent</option>
              </select>
            </label>
          </Card>
        </>
      )}
    </div>
  );
}

export type { ChannelName };
