import type { Client, Message, REST } from 'discord.js';

// Loaded on first use: discord.js costs start time for users without Discord.
const discord = () => import('discord.js');
import type { BotIdentity, ValidationResult } from '../../../../shared/schemas/channels';
import { ChannelError, type Channel, type ChannelEvents, type InboundMessage } from '../channel';

export interface DiscordOptions {
  /** The REST API root, e.g. https://discord.com/api (a local server in tests). */
  apiRoot?: string;
}

const PORTAL_FIX = [
  'discord.com/developers/applications → your app → Bot: Reset Token, and copy it',
  'Paste it under Settings > Channels > Discord, then Validate',
];
const INTENT_FIX = [
  'discord.com/developers/applications → your app → Bot → Privileged Gateway Intents: turn on Message Content Intent, and save',
  'Then Connect again',
];

/**
 * Discord on discord.js: the gateway with Guilds, GuildMessages, DirectMessages and the
 * privileged MessageContent intent. @mentions in text channels and every DM trigger. Close
 * codes that will not heal by retrying (4004 bad token, 4014 intent not enabled) fail at once
 * with the Developer Portal's fix instead of a silent bot.
 */
export class DiscordChannel implements Channel {
  readonly name = 'discord' as const;
  readonly maxMessageLength = 2000;
  private client: Client | null = null;

  constructor(private readonly options: DiscordOptions = {}) {}

  private async rest(token: string): Promise<REST> {
    const { REST } = await discord();
    return new REST({
      version: '10',
      ...(this.options.apiRoot ? { api: this.options.apiRoot } : {}),
      // 429s are the core's to wait out, not discord.js's to queue behind our back.
      rejectOnRateLimit: () => true,
    }).setToken(token);
  }

  async validate(credentials: Record<string, string>): Promise<ValidationResult> {
    try {
      const { Routes } = await discord();
      const me = (await (await this.rest(credentials.botToken ?? '')).get(Routes.user())) as {
        id: string;
        username: string;
      };
      return {
        ok: true,
        identity: identityOf(me),
        message: `The token belongs to the bot ${me.username}.`,
        fix: [],
      };
    } catch (error) {
      const failure = classify(error);
      return { ok: false, identity: null, message: failure.message, fix: failure.fix };
    }
  }

  async connect(credentials: Record<string, string>, events: ChannelEvents): Promise<BotIdentity> {
    await this.disconnect();
    const { Client, GatewayIntentBits, Partials } = await discord();
    const client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ],
      // DM channels are not cached before their first message: without this, DMs are lost.
      partials: [Partials.Channel],
      rest: {
        ...(this.options.apiRoot ? { api: this.options.apiRoot } : {}),
        rejectOnRateLimit: () => true,
      },
    });
    client.on('messageCreate', (message) => {
      const inbound = toInbound(message, client.user?.id ?? '');
      if (inbound) events.onMessage(inbound);
    });
    client.on('shardDisconnect', (event) => {
      if (this.client === client) events.onLost(closeError(event.code));
    });
    try {
      await client.login(credentials.botToken);
      await new Promise<void>((resolve, reject) => {
        if (client.isReady()) return resolve();
        client.once('ready', () => resolve());
        client.once('shardDisconnect', (event) => reject(closeError(event.code)));
        client.once('error', reject);
      });
    } catch (error) {
      await client.destroy().catch(() => undefined);
      throw error instanceof ChannelError ? error : classify(error);
    }
    this.client = client;
    return identityOf({ id: client.user!.id, username: client.user!.username });
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.destroy().catch(() => undefined);
  }

  async send(chatId: string, text: string): Promise<void> {
    if (!this.client) throw new ChannelError('transient', 'Discord is not connected.');
    const { Routes } = await discord();
    try {
      await this.client.rest.post(Routes.channelMessages(chatId), {
        body: { content: text, allowed_mentions: { parse: [] } },
      });
    } catch (error) {
      throw classify(error);
    }
  }

  async typing(chatId: string): Promise<void> {
    if (!this.client) return;
    const { Routes } = await discord();
    await this.client.rest.post(Routes.channelTyping(chatId)).catch(() => undefined);
  }
}

function identityOf(me: { id: string; username: string }): BotIdentity {
  return {
    id: me.id,
    name: me.username,
    username: me.username,
    notes: [
      'In a server the bot needs View Channel, Send Messages and Read Message History in each channel it should answer in.',
    ],
  };
}

export function toInbound(message: Message, botId: string): InboundMessage | null {
  if (message.author.bot || !message.content.trim()) return null;
  const direct = message.guildId === null;
  return {
    chatId: message.channelId,
    chatTitle: direct
      ? `DM ${message.author.username}`
      : `#${(message.channel as { name?: string }).name ?? message.channelId}`,
    chatKind: direct ? 'direct' : 'group',
    senderId: message.author.id,
    senderName: message.author.username,
    text: message.content.replace(new RegExp(`<@!?${botId}>\\s*`, 'g'), '').trim(),
    mentionsBot: message.mentions.users.has(botId),
    messageId: message.id,
    at: message.createdAt.toISOString(),
  };
}

/** A gateway close: the codes retrying cannot fix fail at once, with their fix. */
function closeError(code: number): ChannelError {
  if (code === 4014 || code === 4013)
    return new ChannelError(
      'auth',
      `Discord closed the connection (${code}): the Message Content intent is not enabled for this bot, so it would hear nothing.`,
      null,
      INTENT_FIX,
    );
  if (code === 4004)
    return new ChannelError(
      'auth',
      'Discord refused the bot token (4004 Authentication failed).',
      null,
      PORTAL_FIX,
    );
  return new ChannelError('transient', `Discord closed the connection (${code}).`);
}

/** A REST or login failure in the core's terms. */
export function classify(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const coded = error as { code?: string; message?: string };
  if (coded.code === 'DisallowedIntents' || /disallowed intents/i.test(coded.message ?? ''))
    return closeError(4014);
  // By name, not instanceof: discord.js is loaded lazily.
  const named = error as {
    name?: string;
    retryAfter?: number;
    status?: number;
    code?: number | string;
    message?: string;
  };
  if (named.name?.startsWith('RateLimitError'))
    return new ChannelError(
      'rate_limited',
      'Discord asked to slow down (429).',
      named.retryAfter ?? 1000,
    );
  if (named.name === 'DiscordAPIError' || named.name?.startsWith('DiscordAPIError')) {
    const error = named as { status: number; code: number; message: string };
    if (error.status === 401)
      return new ChannelError(
        'auth',
        'Discord refused the bot token (401 Unauthorized).',
        null,
        PORTAL_FIX,
      );
    if (error.code === 50013 || error.code === 50001)
      return new ChannelError(
        'rejected',
        `Discord refused the message (${error.code} ${error.message}).`,
        null,
        [
          'Server Settings → the channel → Permissions: give the bot View Channel, Send Messages and Read Message History',
        ],
      );
    if (error.status >= 500)
      return new ChannelError('transient', `Discord failed (${error.status}).`);
    return new ChannelError(
      'rejected',
      `Discord refused the message (${error.status} ${error.message}).`,
    );
  }
  const e = error as { code?: string; message?: string };
  if (e.code === 'TokenInvalid')
    return new ChannelError('auth', 'Discord refused the bot token (invalid).', null, PORTAL_FIX);
  return new ChannelError(
    'transient',
    `Cannot reach Discord: ${e.code ?? e.message ?? String(error)}.`,
  );
}
