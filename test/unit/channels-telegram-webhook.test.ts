import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ChannelStatus } from '../../src/shared/schemas/channels';
import type { AppError } from '../../src/shared/errors';
import { startTestApp } from '../helpers/app';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';

/** Telegram's optional webhook mode: setWebhook with a secret, deliveries through the tunnel. */
const TOKEN = '7000001:AAE-webhook-token-abcdefghijklmnopqrstu';
const PUBLIC = 'https://aigo-test.trycloudflare.com';
const PATH = '/api/v1/channels/telegram/webhook';

describe('Telegram webhook mode', () => {
  let telegram: FakeTelegram;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const call = <T>(op: string, input: unknown = {}) => app.core.dispatch(op, input) as Promise<T>;
  const status = () => call<ChannelStatus>('channels.get', { name: 'telegram' });
  const state = (want: ChannelStatus['state']) =>
    expect.poll(async () => (await status()).state, { timeout: 10_000 }).toBe(want);
  /** A post as a tunnel forwards it: its own Host, Telegram's secret header. */
  const post = (body: unknown, secret: string | null) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        `${app.url}${PATH}`,
        {
          method: 'POST',
          headers: {
            host: 'aigo-test.trycloudflare.com',
            'content-type': 'application/json',
            ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    app = await startTestApp({ channelEndpoints: { telegramApiRoot: telegram.apiRoot } });
    await call('channels.configure', {
      name: 'telegram',
      enabled: true,
      credentials: { botToken: TOKEN },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  it("needs the public address, then registers aigo's webhook path with a secret", async () => {
    await state('connected');
    const refused = await call('channels.telegramMode', { mode: 'webhook', publicUrl: null }).catch(
      (e: unknown) => e,
    );
    expect((refused as AppError).message).toMatch(/public https:\/\/ address/);
    await call('channels.telegramMode', { mode: 'webhook', publicUrl: PUBLIC });
    await state('connected');
    expect(telegram.webhook?.url).toBe(`${PUBLIC}${PATH}`);
    expect(telegram.webhook?.secret).toMatch(/^[0-9a-f]{48}$/);
  });

  it('takes a delivery only with the secret; a wrong one is refused and audited', async () => {
    const update = telegram.update({ chatId: 777, text: 'via webhook' });
    expect(await post(update, 'not-the-secret')).toBe(403);
    expect(await post(update, null)).toBe(403);
    const audit = await call<{ entries: AuditEntry[] }>('audit.query', {
      severity: 'violation',
      limit: 20,
    });
    expect(audit.entries.some((e) => /Refused a Telegram webhook post/.test(e.message))).toBe(true);
    expect(await post(update, telegram.webhook!.secret)).toBe(200);
    await expect
      .poll(async () => (await status()).chats.map((c) => c.jid), { timeout: 5000 })
      .toContain('tg:777');
  });

  it("back to polling removes aigo's webhook; another program's webhook is reported, not removed", async () => {
    await call('channels.telegramMode', { mode: 'polling', publicUrl: null });
    await state('connected');
    expect(telegram.webhook).toBeNull();
    telegram.push({ chatId: 778, text: 'via polling' });
    await expect
      .poll(async () => (await status()).chats.map((c) => c.jid), { timeout: 5000 })
      .toContain('tg:778');

    telegram.setForeignWebhook('https://other.example/hook');
    await call('channels.connect', { name: 'telegram' });
    await state('failed');
    expect((await status()).lastError).toMatch(/another program's webhook \(other\.example\)/);
    expect(telegram.webhook?.url).toBe('https://other.example/hook');
  });
});
