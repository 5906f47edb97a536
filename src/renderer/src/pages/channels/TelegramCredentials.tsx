import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { CredentialsCard, type CredentialField } from './CredentialsCard';

const FIELDS: CredentialField[] = [
  {
    name: 'botToken',
    label: 'Bot token',
    type: 'password',
    hint: '123456789:AAE… (from @BotFather)',
  },
];

/** The bot token (write-only), Validate Token, Save and connect, and BotFather's steps. */
export function TelegramCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  return (
    <CredentialsCard
      channel="telegram"
      title="Telegram bot"
      fields={FIELDS}
      status={status}
      onChange={onChange}
      validateLabel="Validate Token"
      validateTestId="validate-token"
    >
      <details>
        <summary>Set-up steps</summary>
        <ol>
          <li>In Telegram, open @BotFather, send /newbot and follow it; copy the token.</li>
          <li>Paste it above, Validate Token, then Save and connect.</li>
          <li>Send your bot a direct message; it appears under Chats — map it to a group.</li>
          <li>
            For a group chat: add the bot to the group, then @mention it. With group privacy on (the
            default) it sees only @mentions and replies, which is what triggers an agent.
          </li>
        </ol>
      </details>
    </CredentialsCard>
  );
}
