import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Discord on loopback as discord.js meets it: the REST API (`/api/v10/…`, `Authorization: Bot
 * <token>`, Discord's error bodies, 429 with `retry_after`) and the gateway websocket that
 * `GET /gateway/bot` names — Hello (op 10), Identify (op 2) checked for the token and the
 * privileged Message Content intent (close 4004 / 4014), Heartbeat/ACK (op 1/11), READY and
 * GUILD_CREATE, then MESSAGE_CREATE dispatches with a sequence number. JSON, uncompressed.
 */
export const DISCORD_BOT = {
  id: '900000000000000001',
  username: 'aigo-test',
  discriminator: '0',
  bot: true,
};
const MESSAGE_CONTENT = 1 << 15;

export async function startFakeDiscord(options: {
  token: string;
  messageContentAllowed?: boolean;
  /** How often the client must heartbeat (Discord says ~41 s; tests want it sooner). */
  heartbeatMs?: number;
}) {
  const heartbeatMs = options.heartbeatMs ?? 41_250;
  const sent: { channelId: string; content: string }[] = [];
  let contentAllowed = options.messageContentAllowed ?? true;
  let rateLimit = { count: 0, retryAfter: 0 };
  const noPermission = new Set<string>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let nextId = 1n;
  let port = 0;
  const closes: number[] = [];
  const resumes: string[] = [];
  let heartbeats = 0;

  const snowflake = () => String(1_000_000_000_000_000_000n + nextId++);
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bot ${options.token}`)
        return json(401, { message: '401: Unauthorized', code: 0 });
      const path = (req.url ?? '').split('?')[0]!.replace(/^\/api\/v\d+/, '');
      if (path === '/gateway/bot')
        return json(200, {
          url: `ws://127.0.0.1:${port}`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        });
      if (path === '/users/@me') return json(200, DISCORD_BOT);
      if (path === '/oauth2/applications/@me')
        return json(200, {
          id: DISCORD_BOT.id,
          name: 'aigo-test',
          flags: contentAllowed ? 1 << 19 : 0,
        });
      const post = /^\/channels\/(\d+)\/messages$/.exec(path);
      if (post && req.method === 'POST') {
        if (rateLimit.count > 0) {
          rateLimit.count--;
          return json(
            429,
            {
              message: 'You are being rate limited.',
              retry_after: rateLimit.retryAfter,
              global: false,
            },
            {
              'retry-after': String(rateLimit.retryAfter),
              'x-ratelimit-limit': '5',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset-after': String(rateLimit.retryAfter),
              'x-ratelimit-bucket': 'bucket-1',
              'x-ratelimit-scope': 'user',
            },
          );
        }
        if (noPermission.has(post[1]!))
          return json(403, { message: 'Missing Permissions', code: 50013 });
        const body = JSON.parse(raw || '{}') as { content: string };
        sent.push({ channelId: post[1]!, content: body.content });
        return json(200, {
          id: snowflake(),
          channel_id: post[1],
          content: body.content,
          author: DISCORD_BOT,
          timestamp: new Date().toISOString(),
          type: 0,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: [],
          pinned: false,
        });
      }
      return json(404, { message: '404: Not Found', code: 0 });
    });
  });
  const wss = new WebSocketServer({ server });
  const send = (socket: WebSocket, payload: Record<string, unknown>) =>
    socket.send(JSON.stringify(payload));
  const dispatch = (t: string, d: unknown) => {
    for (const socket of sockets) send(socket, { op: 0, t, s: ++seq, d });
  };
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    send(socket, { op: 10, d: { heartbeat_interval: heartbeatMs } });
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> };
      if (message.op === 1) {
        heartbeats++;
        return send(socket, { op: 11 });
      }
      if (message.op === 6) {
        // Resume: the session goes on where it was; what was missed would be replayed here.
        resumes.push(String(message.d.session_id));
        return send(socket, { op: 0, t: 'RESUMED', s: ++seq, d: {} });
      }
      if (message.op === 2) {
        if (message.d.token !== options.token) {
          closes.push(4004);
          return socket.close(4004, 'Authentication failed.');
        }
        if ((Number(message.d.intents) & MESSAGE_CONTENT) !== 0 && !contentAllowed) {
          closes.push(4014);
          return socket.close(4014, 'Disallowed intent(s).');
        }
        send(socket, {
          op: 0,
          t: 'READY',
          s: ++seq,
          d: {
            v: 10,
            user: DISCORD_BOT,
            guilds: [{ id: '800000000000000001', unavailable: true }],
            session_id: 'session-1',
            resume_gateway_url: `ws://127.0.0.1:${port}`,
            application: { id: DISCORD_BOT.id, flags: 0 },
          },
        });
        send(socket, {
          op: 0,
          t: 'GUILD_CREATE',
          s: ++seq,
          d: {
            id: '800000000000000001',
            name: 'aigo test server',
            unavailable: false,
            member_count: 2,
            owner_id: '700000000000000001',
            roles: [],
            emojis: [],
            stickers: [],
            members: [],
            channels: [
              {
                id: '810000000000000001',
                type: 0,
                name: 'general',
                position: 0,
                permission_overwrites: [],
              },
            ],
            threads: [],
            presences: [],
            voice_states: [],
            features: [],
          },
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const message = (channelId: string, content: string, extra: Record<string, unknown>) => {
    dispatch('MESSAGE_CREATE', {
      id: snowflake(),
      channel_id: channelId,
      author: { id: '700000000000000002', username: 'grace', discriminator: '0', bot: false },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      ...extra,
    });
  };

  return {
    apiRoot: `http://127.0.0.1:${port}/api`,
    sent,
    closes,
    resumes,
    heartbeats: () => heartbeats,
    connections: () => sockets.size,
    /** The connection drops with a code a client may resume after (4000: unknown error). */
    drop(code = 4000) {
      for (const socket of sockets) socket.close(code, 'Unknown error.');
    },
    /** A message in the server's text channel; `mention` puts the bot in `mentions`. */
    channelMessage(content: string, mention: boolean) {
      message('810000000000000001', mention ? `<@${DISCORD_BOT.id}> ${content}` : content, {
        guild_id: '800000000000000001',
        channel_type: 0,
        mentions: mention ? [DISCORD_BOT] : [],
      });
    },
    /** A direct message to the bot. */
    dm(channelId: string, content: string) {
      // The gateway names the channel's type (1: a DM) so a client can build the DM channel.
      message(channelId, content, { channel_type: 1 });
    },
    allowMessageContent(on: boolean) {
      contentAllowed = on;
    },
    denySend(channelId: string) {
      noPermission.add(channelId);
    },
    rateLimitNext(count: number, retryAfter: number) {
      rateLimit = { count, retryAfter };
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;
