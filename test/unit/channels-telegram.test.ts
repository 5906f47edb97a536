import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ChannelStatus, ValidationResult } from '../../src/shared/schemas/channels';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { startTestApp } from '../helpers/app';
import { BOT, startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';

/**
 * The Telegram channel on telegraf against a local Bot API server, inside a real core (no
 * container engine: sessions are created and queued, which is what routing decides).
 */
const TOKEN = '7000001:AAE-test-token-abcdefghijklmnopqrstuvwxyz';

describe('Telegram channel', () => {
  let telegram: FakeTelegram;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const call = <T>(op: string, input: unknown = {}) => app.core.dispatch(op, input) as Promise<T>;
  const status = () => call<ChannelStatus>('channels.get', { name: 'telegram' });
  const sessions = async () =>
    (await call<{ sessions: Session[] }>('sessions.list', { limit: 100 })).sessions;
  const waitState = (state: ChannelStatus['state']) =>
    expect.poll(async () => (await status()).state, { timeout: 10_000 }).toBe(state);

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    app = await startTestApp({ channelEndpoints: { telegramApiRoot: telegram.apiRoot } });
  });
  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });
  afterEach(() => telegram.rejectMarkup(false));

  it('Validate Token names the bot, explains group privacy, and says what is wrong with a bad token', async () => {
    const good = await call<ValidationResult>('channels.validate', {
      name: 'telegram',
      credentials: { botToken: TOKEN },
    });
    expect(good).toMatchObject({ ok: true, identity: { username: BOT.username } });
    expect(good.identity?.notes.join(' ')).toMatch(/Group privacy is on/);
    const bad = await call<ValidationResult>('channels.validate', {
      name: 'telegram',
      credentials: { botToken: '7000001:AAE-wrong-token-abcdefghijklmnopqrstu' },
    });
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/refused the bot token \(401 Unauthorized\)/);
    expect(bad.fix.join(' ')).toMatch(/BotFather/);
    const malformed = await call<ValidationResult>('channels.validate', {
      name: 'telegram',
      credentials: { botToken: 'not-a-token' },
    });
    expect(malformed.message).toMatch(/looks like 123456789:AAE/);
  });

  it('connects with the saved token, and never shows it', async () => {
    const saved = await call<ChannelStatus>('channels.configure', {
      name: 'telegram',
      enabled: true,
      credentials: { botToken: TOKEN },
    });
    expect(saved.configured).toBe(true);
    await waitState('connected');
    const now = await status();
    expect(now.botIdentity?.username).toBe(BOT.username);
    const everything = JSON.stringify([
      now,
      await call('channels.list'),
      await call('audit.query', { limit: 200 }),
    ]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(TOKEN.split(':')[1]);
  });

  it('a chat no group lists is ignored by default (anyone can find a bot) but listed to map', async () => {
    telegram.push({
      chatId: 555,
      text: 'hi, who are you?',
      from: { id: 555, username: 'stranger' },
    });
    await expect
      .poll(async () => (await status()).chats.map((c) => c.jid), { timeout: 10_000 })
      .toContain('tg:555');
    expect((await status()).chats.find((c) => c.jid === 'tg:555')).toMatchObject({
      group: null,
      kind: 'direct',
    });
    expect((await sessions()).some((s) => s.chatJid === 'tg:555')).toBe(false);
    // Health says so, with where to map it: the guide's "bot does not respond".
    const health = await call<{ items: { id: string; status: string; detail: string }[] }>(
      'app.diagnostics',
    );
    const unmapped = health.items.find((i) => i.id === 'channel-telegram-unmapped');
    expect(unmapped?.status).toBe('warn');
    expect(unmapped?.detail).toContain('tg:555');
  });

  it('a direct message starts a session for its chat; a group message needs an @mention; a blocked sender is dropped', async () => {
    await call('channels.mapChat', { name: 'telegram', jid: 'tg:111', group: 'main' });
    telegram.push({ chatId: 111, text: 'hello agent' });
    await expect
      .poll(async () => (await sessions()).find((s) => s.chatJid === 'tg:111')?.trigger, {
        timeout: 10_000,
      })
      .toBe('channel');

    // A group that needs its trigger (the default for groups other than main).
    await call('groups.create', { name: 'team' });
    await call('channels.mapChat', { name: 'telegram', jid: 'tg:-100200', group: 'team' });
    telegram.push({ chatId: -100200, text: 'just chatting, no mention' });
    telegram.push({ chatId: -100200, text: 'please summarise', mentionBot: true });
    await expect
      .poll(async () => (await sessions()).filter((s) => s.chatJid === 'tg:-100200').length, {
        timeout: 10_000,
      })
      .toBe(1);
    const detail = (
      await call<{ transcript: { text?: string }[] }>('sessions.get', {
        id: (await sessions()).find((s) => s.chatJid === 'tg:-100200')!.id,
      })
    ).transcript;
    // The untriggered message before it came along as context.
    expect(detail[0]?.text).toContain('just chatting, no mention');
    expect(detail[0]?.text).toContain('please summarise');

    const team = (await call<{ groups: Group[] }>('groups.list')).groups.find(
      (g) => g.name === 'team',
    )!;
    await call('groups.update', { id: team.id, senderAllowlist: ['4242'] });
    telegram.push({
      chatId: -100200,
      text: 'let me in',
      mentionBot: true,
      from: { id: 999, username: 'mallory' },
    });
    await expect.poll(async () => (await status()).blockedSenders, { timeout: 10_000 }).toBe(1);
    const audit = await call<{ entries: AuditEntry[] }>('audit.query', {
      category: 'channel',
      limit: 50,
    });
    expect(audit.entries.some((e) => /not on group "team"'s allowlist/.test(e.message))).toBe(true);
    await call('groups.update', { id: team.id, senderAllowlist: [] });
    expect((await status()).chats.map((c) => c.jid)).toEqual(
      expect.arrayContaining(['tg:111', 'tg:-100200']),
    );
  });

  it('delivers a long reply split at paragraph boundaries, in order, as HTML with a plain fallback', async () => {
    const paragraph = (n: number) => `Paragraph ${n}. ${'word '.repeat(300).trim()}`;
    const text = [1, 2, 3, 4].map(paragraph).join('\n\n');
    const before = telegram.sent.length;
    const result = await app.core.services.channels!.delivery.deliver({
      id: 'msg-long-1',
      group: (await call<{ groups: Group[] }>('groups.list')).groups[0]!,
      session: 's-test',
      chatJid: 'tg:111',
      text,
    });
    expect(result.status).toBe('delivered');
    await expect.poll(() => telegram.sent.length - before, { timeout: 10_000 }).toBe(2);
    const parts = telegram.sent.slice(before);
    expect(parts.every((p) => p.text.length <= 4096 && p.chatId === '111')).toBe(true);
    expect(parts[0]!.text.startsWith('Paragraph 1.')).toBe(true);
    expect(parts[1]!.text.startsWith('Paragraph 3.')).toBe(true);

    telegram.rejectMarkup(true);
    await app.core.services.channels!.delivery.deliver({
      id: 'msg-markup-1',
      group: (await call<{ groups: Group[] }>('groups.list')).groups[0]!,
      session: 's-test',
      chatJid: 'tg:111',
      text: 'Some **bold** words',
    });
    await expect
      .poll(() => telegram.sent.at(-1)?.text, { timeout: 10_000 })
      .toBe('Some **bold** words');
    expect(telegram.sent.at(-1)?.parseMode).toBeNull();
  });

  it('a reply to a chat the bot is not in is refused for good, and Health says how to fix it', async () => {
    telegram.removeBotFrom(-100999);
    const group = (await call<{ groups: Group[] }>('groups.list')).groups[0]!;
    await app.core.services.channels!.delivery.deliver({
      id: 'msg-gone',
      group,
      session: 's-test',
      chatJid: 'tg:-100999',
      text: 'anyone there?',
    });
    await expect
      .poll(async () => (await status()).lastRefusal?.jid, { timeout: 10_000 })
      .toBe('tg:-100999');
    expect((await status()).queueDepth).toBe(0);
    const health = await call<{ items: { id: string; fix: string[] }[] }>('app.diagnostics');
    const item = health.items.find((i) => i.id === 'channel-telegram-refused');
    expect(item?.fix.join(' ')).toMatch(/not in that chat/);
  });

  it('waits out a 429 retry_after, and the same hand-off twice is sent once', async () => {
    const group = (await call<{ groups: Group[] }>('groups.list')).groups[0]!;
    telegram.rateLimitNext(1, 1);
    const before = telegram.sent.length;
    const started = Date.now();
    const message = {
      id: 'msg-429',
      group,
      session: 's-test',
      chatJid: 'tg:111',
      text: 'after the limit',
    };
    await app.core.services.channels!.delivery.deliver(message);
    await app.core.services.channels!.delivery.deliver(message);
    await expect.poll(() => telegram.sent.length - before, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(telegram.sent.length - before).toBe(1);
  });

  it('reconnects when the platform comes back, then delivers what was queued exactly once', async () => {
    const group = (await call<{ groups: Group[] }>('groups.list')).groups[0]!;
    await telegram.goAway();
    await waitState('reconnecting');
    const before = telegram.sent.length;
    await app.core.services.channels!.delivery.deliver({
      id: 'msg-while-away',
      group,
      session: 's-test',
      chatJid: 'tg:111',
      text: 'sent while Telegram was away',
    });
    expect((await status()).queueDepth).toBe(1);
    await telegram.comeBack();
    await waitState('connected');
    await expect.poll(() => telegram.sent.length - before, { timeout: 15_000 }).toBe(1);
    expect(telegram.sent.at(-1)?.text).toBe('sent while Telegram was away');
    // Telegram has it once the request arrived; the queue counts it done once answered.
    await expect.poll(async () => (await status()).queueDepth).toBe(0);
  });

  it('a revoked token fails at once with the cause, and does not retry', async () => {
    telegram.revoke();
    await waitState('failed');
    const failed = await status();
    expect(failed.lastError).toMatch(/refused the bot token \(401 Unauthorized\)/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await status()).state).toBe('failed');
    const health = await call<{ items: { id: string; status: string; fix: string[] }[] }>(
      'app.diagnostics',
    );
    const item = health.items.find((i) => i.id === 'channel-telegram-failed');
    expect(item?.status).toBe('fail');
    expect(item?.fix.join(' ')).toMatch(/BotFather/);
  });
});
