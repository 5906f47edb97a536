import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Telegram } from 'telegraf';

// Loaded on first use: telegraf costs start time for users without Telegram.
const telegraf = () => import('telegraf');
import type { BotIdentity, ValidationResult } from '../../../../shared/schemas/channels';
import { ChannelError, type Channel, type ChannelEvents } from '../channel';
import { toTelegramHtml } from './telegram-format';
import { toInbound, type TelegramMessage, type TelegramUser } from './telegram-inbound';

import { TELEGRAM_WEBHOOK_PATH } from '../webhook-paths';

export { TELEGRAM_WEBHOOK_PATH };

export interface TelegramOptions {
  /** The Bot API root: api.telegram.org, or a local Bot API server (tests, self-hosted). */
  apiRoot?: string;
  /** Long polling, or a webhook at `publicUrl` + TELEGRAM_WEBHOOK_PATH (the user's tunnel). */
  mode?: () => { mode: 'polling' | 'webhook'; publicUrl: string | null };
  /** How long one getUpdates waits for news; the platform holds the request that long. */
  pollTimeoutSecs?: number;
}

const BOTFATHER_FIX = [
  'Open @BotFather in Telegram → /mybots → your bot → API Token, and copy the token',
  'Paste it under Settings > Channels > Telegram, then Validate Token',
];

/**
 * Telegram on telegraf's Bot API client, with aigo's own long-poll loop: the loop confirms
 * updates by offset, a watchdog aborts a getUpdates that outlives its timeout (a dead
 * connection looks like a quiet chat otherwise), and every error is classified for the core.
 */
export class TelegramChannel implements Channel {
  readonly name = 'telegram' as const;
  readonly maxMessageLength = 4096;
  private client: Telegram | null = null;
  private polling: AbortController | null = null;
  private offset = 0;
  /** Webhook mode: the secret Telegram echoes in each delivery, and where deliveries go. */
  private webhook: { secret: string; me: TelegramUser; events: ChannelEvents } | null = null;

  constructor(private readonly options: TelegramOptions = {}) {}

  private async api(token: string): Promise<Telegram> {
    const { Telegram } = await telegraf();
    return new Telegram(token, {
      ...(this.options.apiRoot ? { apiRoot: this.options.apiRoot } : {}),
    } as Telegram['options']);
  }

  async validate(credentials: Record<string, string>): Promise<ValidationResult> {
    try {
      const me = (await (await this.api(credentials.botToken ?? '')).getMe()) as TelegramUser;
      const identity = identityOf(me);
      return {
        ok: true,
        identity,
        message: `The token belongs to ${identity.name} (@${identity.username}).`,
        fix: [],
      };
    } catch (error) {
      const failure = classify(error);
      return { ok: false, identity: null, message: failure.message, fix: failure.fix };
    }
  }

  async connect(credentials: Record<string, string>, events: ChannelEvents): Promise<BotIdentity> {
    await this.disconnect();
    const client = await this.api(credentials.botToken ?? '');
    let me: TelegramUser;
    try {
      me = (await client.getMe()) as TelegramUser;
    } catch (error) {
      throw classify(error);
    }
    this.client = client;
    const mode = this.options.mode?.() ?? { mode: 'polling' as const, publicUrl: null };
    if (mode.mode === 'webhook') {
      if (!mode.publicUrl)
        throw new ChannelError(
          'auth',
          "Webhook mode needs the tunnel's public https:// address.",
          null,
          [
            'Settings > Channels > Telegram: enter the address your tunnel prints, or switch to long polling',
          ],
        );
      const secret = randomBytes(24).toString('hex');
      try {
        await client.setWebhook(`${mode.publicUrl.replace(/\/+$/, '')}${TELEGRAM_WEBHOOK_PATH}`, {
          secret_token: secret,
          allowed_updates: ['message'],
        });
      } catch (error) {
        throw classify(error);
      }
      this.webhook = { secret, me, events };
      return identityOf(me);
    }
    await this.dropOwnWebhook(client);
    const controller = new AbortController();
    this.polling = controller;
    void this.pollLoop(client, me, controller.signal, events);
    return identityOf(me);
  }

  /**
   * Polling after webhook mode: Telegram answers getUpdates with 409 while a webhook is set. A
   * webhook aigo set (its path) is removed; another program's is left alone and reported.
   */
  private async dropOwnWebhook(client: Telegram): Promise<void> {
    let url = '';
    try {
      url = ((await client.getWebhookInfo()) as { url?: string }).url ?? '';
    } catch (error) {
      throw classify(error);
    }
    if (!url) return;
    if (!url.endsWith(TELEGRAM_WEBHOOK_PATH))
      throw new ChannelError(
        'auth',
        `This bot delivers its messages to another program's webhook (${new URL(url).host}), so long polling gets nothing.`,
        null,
        ['Stop that program, or give aigo a bot of its own (@BotFather → /newbot)'],
      );
    await client.deleteWebhook().catch((error: unknown) => {
      throw classify(error);
    });
  }

  /**
   * A delivery to aigo's webhook (through the user's tunnel): only with the secret this
   * connection gave Telegram, compared in constant time.
   */
  async handleWebhook(req: {
    headers: Record<string, string | undefined>;
    body: Buffer;
  }): Promise<{ status: number; body: string }> {
    const hook = this.webhook;
    if (!hook) return { status: 404, body: 'Telegram webhook mode is not on.' };
    const given = Buffer.from(req.headers['x-telegram-bot-api-secret-token'] ?? '');
    const expected = Buffer.from(hook.secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: 403, body: 'Wrong secret token.' };
    let update: { update_id?: number; message?: TelegramMessage };
    try {
      update = JSON.parse(req.body.toString('utf8')) as typeof update;
    } catch {
      return { status: 400, body: 'Not JSON.' };
    }
    const inbound = update.message ? toInbound(update.message, hook.me) : null;
    if (inbound) hook.events.onMessage(inbound);
    return { status: 200, body: 'OK' };
  }

  private async pollLoop(
    client: Telegram,
    me: TelegramUser,
    stop: AbortSignal,
    events: ChannelEvents,
  ): Promise<void> {
    const timeout = this.options.pollTimeoutSecs ?? 25;
    while (!stop.aborted) {
      // The watchdog: the platform answers within `timeout`; silence past it is a dead line.
      const watchdog = AbortSignal.timeout((timeout + 15) * 1000);
      try {
        const updates = (await client.callApi(
          'getUpdates',
          { offset: this.offset, timeout, allowed_updates: ['message'] },
          // node-fetch (inside telegraf) takes a native AbortSignal; only its types differ.
          { signal: AbortSignal.any([stop, watchdog]) as never },
        )) as { update_id: number; message?: TelegramMessage }[];
        for (const update of updates) {
          this.offset = Math.max(this.offset, update.update_id + 1);
          const inbound = update.message ? toInbound(update.message, me) : null;
          if (inbound) events.onMessage(inbound);
        }
      } catch (error) {
        if (stop.aborted) return;
        events.onLost(
          watchdog.aborted
            ? new ChannelError(
                'transient',
                `Telegram's long poll gave no answer within ${timeout + 15} s: the connection is dead.`,
              )
            : classify(error),
        );
        return;
      }
    }
  }

  async disconnect(): Promise<void> {
    this.polling?.abort();
    this.polling = null;
    // Off in webhook mode: Telegram stops posting to a tunnel nobody answers (best effort).
    if (this.webhook && this.client) await this.client.deleteWebhook().catch(() => undefined);
    this.client = null;
    this.webhook = null;
  }

  async send(chatId: string, text: string): Promise<void> {
    const client = this.require();
    const html = toTelegramHtml(text);
    try {
      if (html.length <= this.maxMessageLength) {
        try {
          await client.sendMessage(chatId, html, { parse_mode: 'HTML' });
          return;
        } catch (error) {
          // Markup the platform will not take: the same words as plain text.
          if (!(isTelegramError(error) && /can't parse entities/i.test(error.description)))
            throw error;
        }
      }
      await client.sendMessage(chatId, text);
    } catch (error) {
      throw classify(error);
    }
  }

  async typing(chatId: string): Promise<void> {
    await this.client?.sendChatAction(chatId, 'typing').catch(() => undefined);
  }

  private require(): Telegram {
    if (!this.client) throw new ChannelError('transient', 'Telegram is not connected.');
    return this.client;
  }
}

function identityOf(me: TelegramUser & { can_read_all_group_messages?: boolean }): BotIdentity {
  const notes =
    me.can_read_all_group_messages === false
      ? [
          'Group privacy is on: in group chats the bot sees only @mentions of it, replies to it and commands — which is what triggers an agent. For the group trigger word to work without an @mention, turn it off: @BotFather → /setprivacy → Disable, then remove the bot from the group and add it again.',
        ]
      : [];
  return { id: String(me.id), name: me.first_name, username: me.username ?? null, notes };
}

/** A Telegram failure as the core needs it: what kind, what it means, what to do. */
/** telegraf's TelegramError, told by its shape (telegraf is loaded lazily). */
function isTelegramError(
  error: unknown,
): error is { code: number; description: string; parameters?: { retry_after?: number } } {
  const e = error as { response?: { error_code?: unknown }; description?: unknown };
  return typeof e?.response?.error_code === 'number' && typeof e.description === 'string';
}

export function classify(error: unknown): ChannelError {
  if (isTelegramError(error)) {
    const code = error.code;
    const description = error.description;
    if (code === 401 || code === 404)
      return new ChannelError(
        'auth',
        `Telegram refused the bot token (${code} ${description}): it is wrong, or it was revoked in @BotFather.`,
        null,
        BOTFATHER_FIX,
      );
    if (code === 429) {
      const seconds = Number(error.parameters?.retry_after ?? 1);
      return new ChannelError(
        'rate_limited',
        `Telegram asked to slow down (429): retry after ${seconds} s.`,
        seconds * 1000,
      );
    }
    if (code === 409)
      return new ChannelError(
        'transient',
        `Another program is reading this bot's updates, or a webhook is set (409 ${description}).`,
        null,
        ['Stop the other program that uses this bot token, or give aigo a bot of its own'],
      );
    if (code === 403 || code === 400)
      return new ChannelError(
        'rejected',
        `Telegram refused the message (${code} ${description}).`,
        null,
        code === 403
          ? [
              'The bot was blocked, or removed from the chat: add it to the group again (or unblock it in the direct chat)',
              'Then send it a message there',
            ]
          : /chat not found/i.test(description)
            ? [
                'The bot is not in that chat: add it to the group (a bot cannot write to a person who has not started a chat with it)',
                'Test with a direct message to the bot first',
              ]
            : ['Check that the bot is a member of the chat and may post there'],
      );
    return new ChannelError('transient', `Telegram answered ${code} ${description}.`);
  }
  const e = error as { code?: string; message?: string; type?: string };
  const cause = e.code ?? e.message ?? String(error);
  return new ChannelError('transient', `Cannot reach the Telegram Bot API: ${cause}.`, null, [
    'Check the internet connection (and a proxy, if this network needs one)',
  ]);
}
