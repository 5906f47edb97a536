import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelStatus, ValidationResult } from '../../src/shared/schemas/channels';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { startTestApp } from '../helpers/app';
import { DISCORD_BOT, startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord';

/** Discord on discord.js, unmodified, against a local REST API and gateway. */
const TOKEN = 'OTAwMDAwMDAwMDAwMDAwMDAx.GabcDE.test-token-abcdefghijklmnopqrstuvwxyz';
const GENERAL = '810000000000000001';

describe('Discord channel', () => {
  let discord: FakeDiscord;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const call = <T>(op: string, input: unknown = {}) => app.core.dispatch(op, input) as Promise<T>;
  const status = () => call<ChannelStatus>('channels.get', { name: 'discord' });
  const state = (want: ChannelStatus['state']) =>
    expect.poll(async () => (await status()).state, { timeout: 15_000 }).toBe(want);

  beforeAll(async () => {
    discord = await startFakeDiscord({
      token: TOKEN,
      messageContentAllowed: false,
      heartbeatMs: 500,
    });
    app = await startTestApp({ channelEndpoints: { discordApiRoot: discord.apiRoot } });
  });
  afterAll(async () => {
    await app?.stop();
    await discord?.close();
  });

  it('validates the token, and says what a wrong one is', async () => {
    const ok = await call<ValidationResult>('channels.validate', {
      name: 'discord',
      credentials: { botToken: TOKEN },
    });
    expect(ok).toMatchObject({ ok: true, identity: { name: DISCORD_BOT.username } });
    const bad = await call<ValidationResult>('channels.validate', {
      name: 'discord',
      credentials: {
        botToken: 'OTAwMDAwMDAwMDAwMDAwMDAx.Gwrong.wrong-token-abcdefghijklmnopqrstu',
      },
    });
    expect(bad.message).toMatch(/refused the bot token \(401/);
  });

  it('without the Message Content intent fails at once (4014) with the Developer Portal fix', async () => {
    await call('channels.configure', {
      name: 'discord',
      enabled: true,
      credentials: { botToken: TOKEN },
    });
    await state('failed');
    expect(discord.closes).toContain(4014);
    expect((await status()).lastError).toMatch(/Message Content intent is not enabled/);
    const health = await call<{ items: { id: string; fix: string[] }[] }>('app.diagnostics');
    expect(health.items.find((i) => i.id === 'channel-discord-failed')?.fix.join(' ')).toMatch(
      /Message Content Intent/,
    );
  });

  it('with the intent: an @mention in a text channel and a DM trigger; a plain channel message does not', async () => {
    discord.allowMessageContent(true);
    await call('channels.connect', { name: 'discord' });
    await state('connected');
    await call('groups.create', { name: 'ops', chatJids: [`dc:${GENERAL}`] });
    const sessions = async () =>
      (await call<{ sessions: Session[] }>('sessions.list', { limit: 50 })).sessions;
    discord.channelMessage('just talking', false);
    discord.channelMessage('deploy status?', true);
    await expect
      .poll(async () => (await sessions()).filter((s) => s.chatJid === `dc:${GENERAL}`).length, {
        timeout: 10_000,
      })
      .toBe(1);
    await call('channels.routing', { unmappedChats: 'default_group' });
    discord.dm('820000000000000001', 'hello in private');
    await expect
      .poll(async () => (await sessions()).some((s) => s.chatJid === 'dc:820000000000000001'), {
        timeout: 10_000,
      })
      .toBe(true);
  });

  it('heartbeats, and resumes its session after a recoverable drop without a new login', async () => {
    await expect.poll(() => discord.heartbeats(), { timeout: 5000 }).toBeGreaterThan(1);
    discord.drop(4000);
    await expect.poll(() => discord.resumes, { timeout: 15_000 }).toEqual(['session-1']);
    expect((await status()).state).toBe('connected');
    discord.dm('820000000000000002', 'after the resume');
    await expect
      .poll(async () => (await status()).chats.map((c) => c.jid), { timeout: 10_000 })
      .toContain('dc:820000000000000002');
  });

  it('sends replies within 2,000 characters, waits out a 429, and explains a missing permission', async () => {
    const ops = (await call<{ groups: Group[] }>('groups.list')).groups.find(
      (g) => g.name === 'ops',
    )!;
    const delivery = app.core.services.channels!.delivery;
    const before = discord.sent.length;
    discord.rateLimitNext(1, 1);
    await delivery.deliver({
      id: 'dc-1',
      group: ops,
      session: 's',
      chatJid: `dc:${GENERAL}`,
      text: 'x '.repeat(1500),
    });
    await expect.poll(() => discord.sent.length - before, { timeout: 15_000 }).toBe(2);
    expect(discord.sent.slice(before).every((m) => m.content.length <= 2000)).toBe(true);

    discord.denySend('830000000000000001');
    await delivery.deliver({
      id: 'dc-2',
      group: ops,
      session: 's',
      chatJid: 'dc:830000000000000001',
      text: 'hi',
    });
    await expect
      .poll(async () => (await status()).lastRefusal?.fix.join(' ') ?? '', { timeout: 10_000 })
      .toMatch(/Send Messages and Read Message History/);
  });
});
