import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { CredentialsCard, type CredentialField } from './CredentialsCard';

const FIELDS: CredentialField[] = [
  { name: 'botToken', label: 'Bot token', type: 'password', hint: 'xoxb-… (OAuth & Permissions)' },
  {
    name: 'appToken',
    label: 'App-level token',
    type: 'password',
    hint: 'xapp-… (Basic Information)',
  },
];

const SCOPES =
  'app_mentions:read, channels:history, chat:write, groups:history, im:history, im:read, im:write';

/** Both Slack tokens (Socket Mode: no public address needed), and Slack's set-up steps. */
export function SlackCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  return (
    <CredentialsCard
      channel="slack"
      title="Slack app"
      fields={FIELDS}
      status={status}
      onChange={onChange}
    >
      <details>
        <summary>Set-up steps</summary>
        <ol>
          <li>api.slack.com/apps → Create New App → From scratch; pick your workspace.</li>
          <li>Socket Mode: turn it on, and generate an app-level token with connections:write.</li>
          <li>
            OAuth &amp; Permissions → Bot Token Scopes: <code>{SCOPES}</code>; then Install (or
            Reinstall) to Workspace and copy the Bot User OAuth Token.
          </li>
          <li>Event Subscriptions: subscribe the bot to app_mention and message.im.</li>
          <li>Paste both tokens above, Validate, Save and connect; /invite the bot to channels.</li>
        </ol>
      </details>
    </CredentialsCard>
  );
}
