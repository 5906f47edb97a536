import type { App, LogLevel, Logger as BoltLogger } from '@slack/bolt';
import type { WebAPICallError, WebClient } from '@slack/web-api';
import type { BotIdentity, ValidationResult } from '../../../../shared/schemas/channels';
import { ChannelError, type Channel, type ChannelEvents, type InboundMessage } from '../channel';
import { toSlackMrkdwn } from './slack-format';

/** The scopes the guide lists for a Slack bot that hears mentions and DMs and answers. */
export const SLACK_REQUIRED_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'chat:write',
  'groups:history',
  'im:history',
  'im:read',
  'im:write',
];

export interface SlackOptions {
  /** The Web API root (https://slack.com/api/, or a local server in tests). */
  apiUrl?: string;
}

const SETUP_FIX = [
  'api.slack.com/apps → your app → OAuth & Permissions: copy the Bot User OAuth Token (xoxb-…)',
  'Basic Information → App-Level Tokens: generate one with connections:write (xapp-…)',
  'Socket Mode: turn it on; Event Subscriptions: subscribe to app_mention and message.im',
];

/** Bolt logs through this; aigo's own log has what matters, so only errors pass. */
const quietLogger: BoltLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error' as LogLevel,
  setName: () => undefined,
};

/**
 * Slack on @slack/bolt in Socket Mode: no public URL needed. Triggers are app mentions and
 * direct messages; a reply goes into the thread of the message it answers.
 */
export class SlackChannel implements Channel {
  readonly name = 'slack' as const;
  readonly maxMessageLength = 40_000;
  private app: App | null = null;
  private client: WebClient | null = null;
  /** The thread each chat's last triggering message was in (or started). */
  private readonly threads = new Map<string, string>();

  constructor(private readonly options: SlackOptions = {}) {}

  // Loaded on first use: Bolt and its clients cost start time for users without Slack.
  private async web(token: string): Promise<WebClient> {
    const { WebClient } = await import('@slack/web-api');
    return new WebClient(token, {
      ...(this.options.apiUrl ? { slackApiUrl: this.options.apiUrl } : {}),
      // 429s are the core's to wait out (Retry-After), not the client's to retry silently.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: quietLogger,
    });
  }

  async validate(credentials: Record<string, string>): Promise<ValidationResult> {
    try {
      return { ok: true, identity: await this.check(credentials), message: '', fix: [] };
    } catch (error) {
      const failure = error instanceof ChannelError ? error : classify(error);
      return { ok: false, identity: null, message: failure.message, fix: failure.fix };
    }
  }

  /** auth.test with the bot token (and its scopes), apps.connections.open with the app token. */
  private async check(credentials: Record<string, string>): Promise<BotIdentity> {
    let auth: Awaited<ReturnType<WebClient['auth']['test']>>;
    try {
      auth = await (await this.web(credentials.botToken ?? '')).auth.test();
    } catch (error) {
      throw classify(error, 'bot token');
    }
    const granted = auth.response_metadata?.scopes ?? [];
    const missing = SLACK_REQUIRED_SCOPES.filter((s) => !granted.includes(s));
    if (missing.length)
      throw new ChannelError(
        'auth',
        `The bot token lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(', ')}.`,
        null,
        [
          `api.slack.com/apps → your app → OAuth & Permissions → Bot Token Scopes: add ${missing.join(', ')}`,
          'Then Reinstall to Workspace (the scopes apply only after reinstalling) and paste the new bot token',
        ],
      );
    try {
      await (await this.web(credentials.appToken ?? '')).apps.connections.open();
    } catch (error) {
      throw classify(error, 'app-level token');
    }
    return {
      id: String(auth.user_id),
      name: String(auth.user ?? 'bot'),
      username: auth.team ? `${auth.user} in ${auth.team}` : null,
      notes: [
        'Invite the bot to each channel it should hear (/invite @your-bot); DMs need no invite.',
      ],
    };
  }

  async connect(credentials: Record<string, string>, events: ChannelEvents): Promise<BotIdentity> {
    await this.disconnect();
    const identity = await this.check(credentials);
    const clientOptions = this.options.apiUrl ? { slackApiUrl: this.options.apiUrl } : {};
    const { App } = await import('@slack/bolt');
    const app = new App({
      token: credentials.botToken!,
      appToken: credentials.appToken!,
      socketMode: true,
      logger: quietLogger,
      clientOptions: { ...clientOptions, retryConfig: { retries: 0 } },
      installerOptions: { clientOptions },
    });
    app.event('app_mention', async ({ event }) => {
      events.onMessage(this.inbound(event, 'group', true));
    });
    app.message(async ({ message }) => {
      const m = message as { channel_type?: string; subtype?: string; bot_id?: string };
      if (m.channel_type !== 'im' || m.subtype || m.bot_id) return;
      events.onMessage(this.inbound(message as never, 'direct', true));
    });
    app.error(async (error) => events.onLost(classify(error)));
    try {
      await app.start();
    } catch (error) {
      throw classify(error);
    }
    this.app = app;
    this.client = await this.web(credentials.botToken!);
    return identity;
  }

  private inbound(
    event: { channel: string; user?: string; text?: string; ts: string; thread_ts?: string },
    kind: 'direct' | 'group',
    mentioned: boolean,
  ): InboundMessage {
    // A reply goes to the thread the message was in, or the one it starts.
    this.threads.set(event.channel, event.thread_ts ?? event.ts);
    return {
      chatId: event.channel,
      chatTitle: kind === 'direct' ? `DM ${event.user ?? ''}`.trim() : `#${event.channel}`,
      chatKind: kind,
      senderId: event.user ?? 'unknown',
      senderName: event.user ?? 'unknown',
      text: (event.text ?? '').replace(/<@[A-Z0-9]+>\s*/g, '').trim(),
      mentionsBot: mentioned,
      messageId: `${event.channel}:${event.ts}`,
      at: new Date(Number(event.ts) * 1000).toISOString(),
    };
  }

  async disconnect(): Promise<void> {
    const app = this.app;
    this.app = null;
    this.client = null;
    await app?.stop().catch(() => undefined);
  }

  async send(chatId: string, text: string): Promise<void> {
    if (!this.client) throw new ChannelError('transient', 'Slack is not connected.');
    const thread = this.threads.get(chatId);
    const post = (body: string, mrkdwn: boolean) =>
      this.client!.chat.postMessage({
        channel: chatId,
        text: body,
        mrkdwn,
        ...(thread ? { thread_ts: thread } : {}),
      });
    try {
      const formatted = toSlackMrkdwn(text);
      try {
        await post(formatted, true);
      } catch (error) {
        // Formatting Slack will not take: the same words as plain text.
        const failure = classify(error);
        if (failure.kind !== 'rejected' || /not_in_channel|channel_not_found/.test(failure.message))
          throw error;
        await post(text, false);
      }
    } catch (error) {
      throw classify(error);
    }
  }

  async typing(): Promise<void> {
    // Slack has no typing indicator for bots: nothing to do.
  }
}

/** A Slack failure in the core's terms, with the fix where the guide has one. */
export function classify(error: unknown, which = 'token'): ChannelError {
  const e = error as WebAPICallError & {
    data?: { error?: string; needed?: string };
    retryAfter?: number;
    code?: string;
  };
  if (e.code === 'slack_webapi_rate_limited_error')
    return new ChannelError(
      'rate_limited',
      'Slack asked to slow down (429).',
      (e.retryAfter ?? 1) * 1000,
    );
  const code = e.data?.error ?? '';
  if (
    ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'].includes(
      code,
    )
  )
    return new ChannelError('auth', `Slack refused the ${which} (${code}).`, null, SETUP_FIX);
  if (code === 'missing_scope')
    return new ChannelError(
      'auth',
      `The bot token lacks the scope ${e.data?.needed ?? ''}.`,
      null,
      ['OAuth & Permissions → Bot Token Scopes: add it, then Reinstall to Workspace'],
    );
  if (code === 'not_in_channel' || code === 'channel_not_found')
    return new ChannelError('rejected', `Slack refused the message (${code}).`, null, [
      'Invite the bot to the channel: /invite @your-bot',
    ]);
  if (code) return new ChannelError('rejected', `Slack refused the message (${code}).`);
  return new ChannelError('transient', `Cannot reach Slack: ${e.message ?? String(error)}.`);
}
