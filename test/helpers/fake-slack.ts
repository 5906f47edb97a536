import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack on loopback as @slack/bolt meets it in Socket Mode: the Web API (`POST /api/<method>`,
 * form or JSON bodies, `{ok, …}` answers, the granted scopes in `x-oauth-scopes`, `429` with
 * `Retry-After`) and the Socket Mode websocket that `apps.connections.open` hands out — `hello`
 * first, then `events_api` envelopes the client must acknowledge with their `envelope_id`, and
 * `disconnect` messages. Bolt and its WebClient run unmodified (`slackApiUrl`).
 */
export const SLACK_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'chat:write',
  'groups:history',
  'im:history',
  'im:read',
  'im:write',
];

export async function startFakeSlack(options: {
  botToken: string;
  appToken: string;
  scopes?: string[];
}) {
  const sent: { channel: string; text: string; threadTs: string | null }[] = [];
  const acks: string[] = [];
  let scopes = options.scopes ?? SLACK_SCOPES;
  let rateLimit = { count: 0, retryAfter: 0 };
  let nextEnvelope = 1;
  let opened = 0;
  const sockets = new Set<WebSocket>();
  let port = 0;

  const read = async (req: IncomingMessage) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if ((req.headers['content-type'] ?? '').includes('json'))
      return JSON.parse(raw || '{}') as Record<string, unknown>;
    return Object.fromEntries(new URLSearchParams(raw)) as Record<string, unknown>;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const auth = req.headers.authorization ?? `Bearer ${String(body.token ?? '')}`;
      const answer = (payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (method === 'apps.connections.open') {
        if (auth !== `Bearer ${options.appToken}`)
          return answer({ ok: false, error: 'invalid_auth' });
        return answer({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t${Date.now()}` });
      }
      if (auth !== `Bearer ${options.botToken}`)
        return answer({ ok: false, error: 'invalid_auth' });
      if (method === 'auth.test')
        return answer(
          {
            ok: true,
            url: 'https://aigo-test.slack.com/',
            team: 'aigo test',
            user: 'aigo',
            team_id: 'T1',
            user_id: 'UBOT',
            bot_id: 'B1',
          },
          { 'x-oauth-scopes': scopes.join(',') },
        );
      if (method === 'chat.postMessage') {
        if (rateLimit.count > 0) {
          rateLimit.count--;
          res.writeHead(429, {
            'content-type': 'application/json',
            'retry-after': String(rateLimit.retryAfter),
          });
          return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        }
        if (!scopes.includes('chat:write'))
          return answer({
            ok: false,
            error: 'missing_scope',
            needed: 'chat:write',
            provided: scopes.join(','),
          });
        sent.push({
          channel: String(body.channel),
          text: String(body.text),
          threadTs: body.thread_ts ? String(body.thread_ts) : null,
        });
        return answer({ ok: true, channel: body.channel, ts: `${Date.now() / 1000}` });
      }
      return answer({ ok: false, error: 'unknown_method' });
    })();
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string };
      if (message.envelope_id) acks.push(message.envelope_id);
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: 'A1' },
        debug_info: { host: 'fake' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const deliver = (event: Record<string, unknown>) => {
    const envelope = `env-${nextEnvelope++}`;
    const payload = {
      type: 'events_api',
      envelope_id: envelope,
      accepts_response_payload: false,
      payload: {
        token: 'x',
        team_id: 'T1',
        api_app_id: 'A1',
        type: 'event_callback',
        event_id: envelope,
        event_time: Math.floor(Date.now() / 1000),
        event,
      },
    };
    for (const socket of sockets) socket.send(JSON.stringify(payload));
    return envelope;
  };

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    sent,
    acks,
    connections: () => sockets.size,
    /** Sockets ever opened: a reconnect opens a new one. */
    opened: () => opened,
    /** A user @mentions the bot in a channel (optionally in a thread). */
    mention(channel: string, text: string, ts = `${Date.now() / 1000}`, threadTs?: string) {
      return deliver({
        type: 'app_mention',
        user: 'U42',
        text: `<@UBOT> ${text}`,
        channel,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    },
    /** A direct message to the bot. */
    dm(channel: string, text: string, ts = `${Date.now() / 1000}`) {
      return deliver({ type: 'message', channel_type: 'im', user: 'U42', text, channel, ts });
    },
    setScopes(next: string[]) {
      scopes = next;
    },
    rateLimitNext(count: number, retryAfter: number) {
      rateLimit = { count, retryAfter };
    },
    /** Slack asks the client to reconnect (a refresh). */
    refresh() {
      for (const socket of sockets)
        socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
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

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
