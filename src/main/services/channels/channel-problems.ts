import {
  CHANNEL_TITLE,
  type ChannelName,
  type ChannelSettings,
  type ChannelStatus,
} from '../../../shared/schemas/channels';
import type { Diagnostic } from '../../../shared/schemas/diagnostics';

const TOKEN_FIX: Record<ChannelName, string[]> = {
  telegram: [
    'Open @BotFather → /mybots → your bot → API Token, and copy the token',
    'Settings > Channels > Telegram: paste it, Validate Token, then Connect',
  ],
  whatsapp: [
    'Meta for Developers → your app → WhatsApp → API Setup: create a permanent access token (a System User token)',
    'Settings > Channels > WhatsApp: paste it, Validate, then Connect',
  ],
  discord: [
    'discord.com/developers/applications → your app → Bot: Reset Token, copy it; under Privileged Gateway Intents turn on Message Content Intent',
    'Settings > Channels > Discord: paste it, Validate, then Connect',
  ],
  slack: [
    'api.slack.com/apps → your app: copy the Bot User OAuth Token (xoxb-) and an App-Level Token with connections:write (xapp-)',
    'Settings > Channels > Slack: paste both, Validate, then Connect',
  ],
};

/**
 * The guide's channel problems as the app sees them, for Health and `aigo doctor`: a token
 * refused or revoked, a connection that keeps failing, chats that write in but reach no group,
 * replies piling up, group privacy hiding plain messages, a webhook Meta never verified.
 */
export function channelProblems(
  channels: ChannelStatus[],
  routing: Pick<ChannelSettings, 'unmappedChats'>,
): Diagnostic[] {
  const items: Diagnostic[] = [];
  for (const c of channels) {
    const name = CHANNEL_TITLE[c.name];
    const route = `channels/${c.name}`;
    const add = (item: Omit<Diagnostic, 'route' | 'area'> & { route?: string | null }) =>
      items.push({ area: 'channels', route, ...item });
    if (!c.enabled) continue;
    if (!c.configured) {
      add({
        id: `channel-${c.name}-credentials`,
        status: 'fail',
        title: `${name} is on but has no credentials`,
        detail: 'It cannot connect until they are entered.',
        fix: TOKEN_FIX[c.name],
      });
      continue;
    }
    if (c.state === 'failed')
      add({
        id: `channel-${c.name}-failed`,
        status: 'fail',
        title: `${name} stopped: ${c.lastError ?? 'unknown cause'}`,
        detail: 'aigo does not retry a refused token by itself.',
        fix: TOKEN_FIX[c.name],
      });
    else if (c.state === 'reconnecting')
      add({
        id: `channel-${c.name}-reconnecting`,
        status: 'warn',
        title: `${name} is reconnecting (attempt ${c.attempt})`,
        detail: `${c.lastError ?? 'The connection dropped.'}${c.nextRetryAt ? ` Next try at ${c.nextRetryAt}.` : ''}`,
        fix: [
          'Check the internet connection',
          `curl http://localhost:55765/api/v1/channels/${c.name}`,
        ],
      });
    else if (c.state === 'connected')
      add({
        id: `channel-${c.name}`,
        status: 'ok',
        title: `${name} connected${c.botIdentity?.username ? ` as ${c.name === 'telegram' ? '@' : ''}${c.botIdentity.username}` : ''}`,
        detail: `${c.messagesIn} messages in, ${c.messagesOut} out.`,
        fix: [],
        route: null,
      });
    for (const note of c.botIdentity?.notes ?? [])
      add({
        id: `channel-${c.name}-note`,
        status: 'info',
        title: `${name}: ${note.split(':')[0]}`,
        detail: note,
        fix: [],
      });
    const unmapped = c.chats.filter((chat) => chat.group === null);
    if (unmapped.length > 0 && routing.unmappedChats === 'ignore')
      add({
        id: `channel-${c.name}-unmapped`,
        status: 'warn',
        title: `${unmapped.length} ${name} chat${unmapped.length === 1 ? '' : 's'} wrote in but no group answers ${unmapped.length === 1 ? 'it' : 'them'}`,
        detail: unmapped
          .slice(0, 5)
          .map((chat) => `${chat.title} (${chat.jid})`)
          .join(', '),
        fix: [`Settings > Channels > ${name} → Chats: map each to a group`],
      });
    if (c.queueDepth > 0 && c.state !== 'connected')
      add({
        id: `channel-${c.name}-queue`,
        status: 'warn',
        title: `${c.queueDepth} ${name} repl${c.queueDepth === 1 ? 'y waits' : 'ies wait'} to be sent`,
        detail: 'They are kept on disk and go out once the channel is connected again.',
        fix: [],
      });
    if (c.lastRefusal)
      add({
        id: `channel-${c.name}-refused`,
        status: 'warn',
        title: `${name} refused a reply to ${c.lastRefusal.jid}`,
        detail: `${c.lastRefusal.message} (${c.lastRefusal.at})`,
        fix: c.lastRefusal.fix,
      });
    if (c.webhook && !c.webhook.verified)
      add({
        id: `channel-${c.name}-webhook`,
        status: 'warn',
        title: `Meta has not verified the ${name} webhook yet`,
        detail: `Without it no message arrives. The webhook answers at ${c.webhook.path} on aigo's local API.`,
        fix: [
          'Expose it through a tunnel (e.g. cloudflared tunnel --url http://localhost:55765), never by opening the API to the network',
          'Meta app → WhatsApp → Configuration → Webhook: paste the tunnel URL + the path and the verify token, then Verify and save',
        ],
      });
    if (c.webhook && c.webhook.signatureFailures > 0)
      add({
        id: `channel-${c.name}-signatures`,
        status: 'warn',
        title: `${c.webhook.signatureFailures} webhook post${c.webhook.signatureFailures === 1 ? '' : 's'} refused: bad or missing signature`,
        detail:
          "Each was answered 403 and audited. Either the app secret in aigo is not your Meta app's, or someone else is posting to the webhook.",
        fix: [
          'Meta app → Settings → Basic → App Secret: copy it into Settings > Channels > WhatsApp',
        ],
      });
  }
  return items;
}
