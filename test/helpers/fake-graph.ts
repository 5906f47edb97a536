import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Meta's Graph API for the WhatsApp Cloud API on loopback: `GET /v<n>/<phone-number-id>`
 * (the number's display phone and verified name) and `POST /v<n>/<phone-number-id>/messages`,
 * with Bearer-token checks and Meta's error bodies (`{error: {message, type, code}}`). Also
 * makes webhook deliveries as Meta signs them (`X-Hub-Signature-256` over the raw bytes).
 */
export async function startFakeGraph(options: { token: string; phoneNumberId: string }) {
  const sent: { to: string; text: string }[] = [];
  let token = options.token;
  let outsideWindow = false;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`)
        return json(401, {
          error: {
            message: 'Invalid OAuth access token - Cannot parse access token',
            type: 'OAuthException',
            code: 190,
          },
        });
      const path = (req.url ?? '').split('?')[0]!;
      const match = /^\/v[\d.]+\/(\d+)(\/messages)?$/.exec(path);
      if (!match || match[1] !== options.phoneNumberId)
        return json(400, {
          error: {
            message: `Unsupported get request. Object with ID '${match?.[1] ?? ''}' does not exist`,
            type: 'GraphMethodException',
            code: 100,
          },
        });
      if (!match[2])
        return json(200, {
          display_phone_number: '+1 555 0100',
          verified_name: 'aigo test',
          id: match[1],
        });
      const body = JSON.parse(raw) as {
        to: string;
        text: { body: string };
        messaging_product: string;
      };
      if (outsideWindow)
        return json(400, {
          error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047 },
        });
      sent.push({ to: body.to, text: body.text.body });
      return json(200, {
        messaging_product: 'whatsapp',
        messages: [{ id: `wamid.${sent.length}` }],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    setToken(next: string) {
      token = next;
    },
    outsideWindow(on: boolean) {
      outsideWindow = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A webhook event as Meta sends it: one text message from `from`. */
export function webhookEvent(phoneNumberId: string, from: string, text: string, id: string) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550100', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: 'Grace' }, wa_id: from }],
              messages: [
                {
                  from,
                  id,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

/** Meta's signature of a raw body. */
export function sign(raw: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}
