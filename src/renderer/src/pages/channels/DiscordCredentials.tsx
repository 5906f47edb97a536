import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { CredentialsCard, type CredentialField } from './CredentialsCard';

const FIELDS: CredentialField[] = [
  {
    name: 'botToken',
    label: 'Bot token',
    type: 'password',
    hint: 'Developer Portal → Bot → Reset Token',
  },
];

/** The Discord bot token, and the Developer Portal's steps (the Message Content intent first). */
export function DiscordCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  return (
    <CredentialsCard
      channel="discord"
      title="Discord bot"
      fields={FIELDS}
      status={status}
      onChange={onChange}
    >
      <details>
        <summary>Set-up steps</summary>
        <ol>
          <li>
            discord.com/developers/applications → New Application; under Bot, Reset Token and copy
            it.
          </li>
          <li>
            Bot → Privileged Gateway Intents: turn on <strong>Message Content Intent</strong>{' '}
            (without it the bot hears nothing, and aigo says so).
          </li>
          <li>
            OAuth2 → URL Generator: scope bot, permissions View Channels, Send Messages, Read
            Message History; open the URL to add the bot to your server.
          </li>
          <li>
            Paste the token above, Validate, Save and connect; @mention the bot in a channel, or DM
            it.
          </li>
        </ol>
      </details>
    </CredentialsCard>
  );
}
