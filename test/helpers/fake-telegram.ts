import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A Telegram Bot API server on loopback, speaking the real wire protocol so telegraf runs
 * against it unmodified (`apiRoot`): `POST /bot<token>/<method>` with JSON, answers
 * `{ok, result}` or `{ok: false, error_code, description, parameters}`. getUpdates long-polls
 * (held until an update arrives or its timeout passes) and confirms by offset; sendMessage
 * checks `parse_mode: HTML` markup as strictly as Telegram. Tests push updates, revoke the
 * token, rate-limit the next sends, and take the server away and back.
 */
export interface SentMessage {
  chatId: string;
  text: string;
  parseMode: string | null;
}

interface Update {
  update_id: number;
  message: Record<string, unknown>;
}

export const BOT = { id: 7000001, first_name: 'aigo test bot', username: 'aigo_test_bot' };

export async function startFakeTelegram(options: { token: string; privacy?: boolean }) {
  let token = options.token;
  let revoked = false;
  let nextUpdateId = 1;
  let nextMessageId = 1;
  const updates: Update[] = [];
  const sent: SentMessage[] = [];
  const actions: { chatId: string; action: string }[] = [];
  let rateLimit: { count: number; retryAfter: number } = { count: 0, retryAfter: 0 };
  let rejectMarkup = false;
  let webhook: { url: string; secret: string } | null = null;
  const goneChats = new Set<string>();
  let waiters: (() => void)[] = [];
  const sockets = new Set<Socket>();
  let port = 0;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, description: string, parameters?: object) =>
    reply(res, code, {
      ok: false,
      error_code: code,
      description,
      ...(parameters ? { parameters } : {}),
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    if (!match) return fail(res, 404, 'Not Found');
    if (match[1] !== token || revoked) return fail(res, 401, 'Unauthorized');
    const method = match[2];
    if (method === 'getMe')
      return reply(res, 200, {
        ok: true,
        result: { ...BOT, is_bot: true, can_read_all_group_messages: !(options.privacy ?? true) },
      });
    if (method === 'deleteWebhook') {
      webhook = null;
      return reply(res, 200, { ok: true, result: true });
    }
    if (method === 'setWebhook') {
      if (!String(body.url ?? '').startsWith('https://'))
        return fail(
          res,
          400,
          'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
        );
      webhook = { url: String(body.url), secret: String(body.secret_token ?? '') };
      return reply(res, 200, { ok: true, result: true, description: 'Webhook was set' });
    }
    if (method === 'getWebhookInfo')
      return reply(res, 200, {
        ok: true,
        result: { url: webhook?.url ?? '', pending_update_count: 0 },
      });
    if (method === 'getUpdates') {
      if (webhook)
        return fail(
          res,
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      const offset = Number(body.offset ?? 0);
      // Confirmed updates are forgotten, as Telegram does.
      while (updates.length && updates[0]!.update_id < offset) updates.shift();
      if (updates.length === 0) {
        const timeout = Math.min(Number(body.timeout ?? 0), 50) * 1000;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeout);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (res.destroyed) return;
      return reply(res, 200, { ok: true, result: updates.filter((u) => u.update_id >= offset) });
    }
    if (method === 'sendChatAction') {
      actions.push({ chatId: String(body.chat_id), action: String(body.action) });
      return reply(res, 200, { ok: true, result: true });
    }
    if (method === 'sendMessage') {
      if (rateLimit.count > 0) {
        rateLimit.count--;
        return fail(res, 429, `Too Many Requests: retry after ${rateLimit.retryAfter}`, {
          retry_after: rateLimit.retryAfter,
        });
      }
      if (goneChats.has(String(body.chat_id))) return fail(res, 400, 'Bad Request: chat not found');
      const text = String(body.text ?? '');
      const parseMode = body.parse_mode ? String(body.parse_mode) : null;
      if (text.length > 4096) return fail(res, 400, 'Bad Request: message is too long');
      if (parseMode === 'HTML' && (rejectMarkup || !balancedHtml(text)))
        return fail(res, 400, "Bad Request: can't parse entities: unsupported start tag");
      sent.push({ chatId: String(body.chat_id), text, parseMode });
      return reply(res, 200, {
        ok: true,
        result: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: body.chat_id },
          text,
        },
      });
    }
    return fail(res, 404, 'Not Found: method not found');
  };

  let server: Server = createServer((req, res) => void handle(req, res));
  const track = (s: Server) =>
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const wake = () => {
    const list = waiters;
    waiters = [];
    for (const w of list) w();
  };

  return {
    get apiRoot() {
      return `http://127.0.0.1:${port}`;
    },
    sent,
    actions,
    /** A user writes: a private chat (positive id) or a group (negative id). */
    push(message: {
      chatId: number;
      text: string;
      from?: { id: number; username?: string; first_name?: string };
      chatTitle?: string;
      mentionBot?: boolean;
    }) {
      const from = { id: 4242, first_name: 'Ada', username: 'ada', ...message.from };
      const text = message.mentionBot ? `@${BOT.username} ${message.text}` : message.text;
      const group = message.chatId < 0;
      updates.push({
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: group
            ? { id: message.chatId, type: 'supergroup', title: message.chatTitle ?? 'Team chat' }
            : {
                id: message.chatId,
                type: 'private',
                first_name: from.first_name,
                username: from.username,
              },
          from: { ...from, is_bot: false },
          text,
          ...(message.mentionBot
            ? { entities: [{ type: 'mention', offset: 0, length: BOT.username.length + 1 }] }
            : {}),
        },
      });
      wake();
    },
    /** What setWebhook registered: Telegram posts updates there with this secret. */
    get webhook() {
      return webhook;
    },
    /** Another program's webhook on the same bot. */
    setForeignWebhook(url: string) {
      webhook = { url, secret: 'theirs' };
    },
    /** An update as Telegram would post it to a webhook. */
    update(message: { chatId: number; text: string; from?: { id: number; username?: string } }) {
      const from = { id: 4242, first_name: 'Ada', username: 'ada', ...message.from, is_bot: false };
      return {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: message.chatId, type: 'private', first_name: from.first_name },
          from,
          text: message.text,
        },
      };
    },
    revoke() {
      revoked = true;
      wake();
    },
    setToken(next: string) {
      token = next;
      revoked = false;
    },
    rateLimitNext(count: number, retryAfter: number) {
      rateLimit = { count, retryAfter };
    },
    /** The bot is not (or no longer) in this chat: sends to it get "chat not found". */
    removeBotFrom(chatId: number) {
      goneChats.add(String(chatId));
    },
    rejectMarkup(on: boolean) {
      rejectMarkup = on;
    },
    /** The platform goes away: every connection cut, nothing listening. */
    async goAway() {
      wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    /** Back on the same port. */
    async comeBack() {
      server = createServer((req, res) => void handle(req, res));
      track(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Tags Telegram's HTML parse mode knows, properly nested; anything else is refused. */
function balancedHtml(text: string): boolean {
  const stack: string[] = [];
  for (const match of text.matchAll(/<(\/?)([a-z]+)(?:\s[^>]*)?>/g)) {
    const [, closing, tag] = match;
    if (!['b', 'i', 'u', 's', 'code', 'pre', 'a'].includes(tag!)) return false;
    if (closing) {
      if (stack.pop() !== tag) return false;
    } else stack.push(tag!);
  }
  return stack.length === 0 && !/<(?![a-z/])/.test(text.replace(/<\/?[a-z]+(?:\s[^>]*)?>/g, ''));
}

export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;
