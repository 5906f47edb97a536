import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ChannelStatus, ValidationResult } from '../../src/shared/schemas/channels';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { startTestApp } from '../helpers/app';
import { sign, startFakeGraph, webhookEvent } from '../helpers/fake-graph';

/**
 * WhatsApp on the Cloud API: our Graph client against a local Graph server, and Meta's webhook
 * calls (verification, signed and unsigned posts) against the real local API over HTTP — with
 * a tunnel's Host header, as they arrive in real life.
 */
const CREDS = {
  phoneNumberId: '106540352242922',
  accessToken: 'EAAG-test-access-token-0123456789',
  appSecret: 'app-secret-0123456789abcdef',
  verifyToken: 'my-verify-phrase-42',
};
const PATH = '/api/v1/channels/whatsapp/webhook';

describe('WhatsApp channel', () => {
  let graph: Awaited<ReturnType<typeof startFakeGraph>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const call = <T>(op: string, input: unknown = {}) => app.core.dispatch(op, input) as Promise<T>;
  const status = () => call<ChannelStatus>('channels.get', { name: 'whatsapp' });
  // What a tunnel (cloudflared, ngrok) forwards: its own public host name. (fetch would not
  // send another Host; node:http does.)
  const viaTunnel = (
    init: { method?: string; body?: string; headers?: Record<string, string>; query?: string } = {},
    path = PATH,
  ) =>
    new Promise<{ status: number; text: () => Promise<string> }>((resolve, reject) => {
      const req = request(
        `${app.url}${path}${init.query ?? ''}`,
        {
          method: init.method ?? 'GET',
          headers: { ...init.headers, host: 'aigo-test.trycloudflare.com' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: async () => text }));
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });

  beforeAll(async () => {
    graph = await startFakeGraph({ token: CREDS.accessToken, phoneNumberId: CREDS.phoneNumberId });
    app = await startTestApp({ channelEndpoints: { graphApiRoot: graph.url } });
  });
  afterAll(async () => {
    await app?.stop();
    await graph?.close();
  });

  it('Validate looks the number up with the token, and names a wrong token or number', async () => {
    const ok = await call<ValidationResult>('channels.validate', {
      name: 'whatsapp',
      credentials: CREDS,
    });
    expect(ok).toMatchObject({
      ok: true,
      identity: { username: '+1 555 0100', name: 'aigo test' },
    });
    const badToken = await call<ValidationResult>('channels.validate', {
      name: 'whatsapp',
      credentials: { ...CREDS, accessToken: 'EAAG-wrong-token-000000000' },
    });
    expect(badToken.message).toMatch(/Meta refused the access token 401 \(code 190\)/);
    expect(JSON.stringify(badToken)).not.toContain('EAAG-wrong-token');
    const badNumber = await call<ValidationResult>('channels.validate', {
      name: 'whatsapp',
      credentials: { ...CREDS, phoneNumberId: '999999' },
    });
    expect(badNumber.message).toMatch(/does not know that phone number ID/);
  });

  it('answers the subscription check only with the right verify token', async () => {
    await call('channels.configure', { name: 'whatsapp', enabled: true, credentials: CREDS });
    await expect.poll(async () => (await status()).state, { timeout: 10_000 }).toBe('connected');
    expect((await status()).webhook).toMatchObject({ path: PATH, verified: false });
    const wrong = await viaTunnel({
      query: '?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=test',
    });
    expect(wrong.status).toBe(403);
    const right = await viaTunnel({
      query: `?hub.mode=subscribe&hub.verify_token=${CREDS.verifyToken}&hub.challenge=test`,
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toBe('test');
    // Only the webhook is exempt from the loopback-Host rule: the rest of the API is not.
    const other = await viaTunnel({}, '/api/v1/status');
    expect(other.status).toBe(403);
    expect((await status()).webhook?.verified).toBe(true);
  });

  it('refuses unsigned and badly signed posts (403, audited), and routes a signed message once', async () => {
    const raw = JSON.stringify(
      webhookEvent(CREDS.phoneNumberId, '4915112345678', 'héllo agent', 'wamid.A1'),
    );
    const unsigned = await viaTunnel({
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(403);
    const forged = await viaTunnel({
      method: 'POST',
      body: raw,
      headers: { 'x-hub-signature-256': sign(raw, 'not-the-app-secret') },
    });
    expect(forged.status).toBe(403);
    expect((await status()).webhook?.signatureFailures).toBe(2);
    const audit = await call<{ entries: AuditEntry[] }>('audit.query', {
      severity: 'violation',
      limit: 20,
    });
    expect(audit.entries.some((e) => /Refused a WhatsApp webhook post/.test(e.message))).toBe(true);

    await call('channels.mapChat', { name: 'whatsapp', jid: 'wa:4915112345678', group: 'main' });
    for (let i = 0; i < 2; i++) {
      // Meta redelivers what it thinks was not answered: the same message id twice.
      const signed = await viaTunnel({
        method: 'POST',
        body: raw,
        headers: { 'x-hub-signature-256': sign(raw, CREDS.appSecret) },
      });
      expect(signed.status).toBe(200);
    }
    const sessions = async () =>
      (await call<{ sessions: Session[] }>('sessions.list', { limit: 50 })).sessions.filter(
        (s) => s.chatJid === 'wa:4915112345678',
      );
    await expect.poll(async () => (await sessions()).length, { timeout: 10_000 }).toBe(1);
    expect((await status()).messagesIn).toBe(1);
  });

  it('sends a reply through the Graph API, and a refusal outside 24 hours is audited, not retried', async () => {
    const group = (await call<{ groups: Group[] }>('groups.list')).groups[0]!;
    const delivery = app.core.services.channels!.delivery;
    await delivery.deliver({
      id: 'wa-1',
      group,
      session: 's',
      chatJid: 'wa:4915112345678',
      text: 'Hi Grace',
    });
    // Among what was sent: the earlier test's session (no runtime here) may report its failure.
    await expect
      .poll(() => graph.sent, { timeout: 10_000 })
      .toContainEqual({ to: '4915112345678', text: 'Hi Grace' });
    graph.outsideWindow(true);
    await delivery.deliver({
      id: 'wa-2',
      group,
      session: 's',
      chatJid: 'wa:4915112345678',
      text: 'late',
    });
    await expect
      .poll(async () =>
        (
          await call<{ entries: AuditEntry[] }>('audit.query', { category: 'channel', limit: 50 })
        ).entries.some((e) => /24 hours/.test(e.message)),
      )
      .toBe(true);
    expect((await status()).queueDepth).toBe(0);
    graph.outsideWindow(false);
  });
});
