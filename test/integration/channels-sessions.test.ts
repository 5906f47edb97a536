import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ChannelStatus } from '../../src/shared/schemas/channels';
import type { Session, SessionDetail } from '../../src/shared/schemas/sessions';
import { startAgentApp } from '../helpers/agent-app';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text, toolUse, type LlmRequest, type Turn } from '../helpers/scripted-llm';

const runDocker = requirePart('Docker', dockerRequirement());
const TOKEN = '7000001:AAE-integration-abcdefghijklmnopqrstuvw';
const LONG = Array.from(
  { length: 3 },
  (_, i) => `Part ${i + 1}. ${'lorem ipsum '.repeat(180).trim()}`,
).join('\n\n');

/**
 * Telegram to a real agent container and back: the chat message starts a session on the real
 * engine (scripted LLM), the agent's send_message goes out through the channel to the right chat.
 */
describe.runIf(runDocker)('Telegram chats reach real agents, and their replies come back', () => {
  let telegram: FakeTelegram;
  let app: Awaited<ReturnType<typeof startAgentApp>>;
  const turns = new Map<string, number>();
  /** Every request the scripted LLM answered, to say what happened when a reply is wrong. */
  const answered: { scenario: string; turn: number; messages: number }[] = [];
  const firstText = (req: LlmRequest) => JSON.stringify(req.body.messages[0]?.content ?? '');
  const script = (_n: number, req: LlmRequest): Turn => {
    const prompt = firstText(req);
    const scenario = /SCENARIO:(\w+)/.exec(prompt)?.[1] ?? '';
    const turn = (turns.get(scenario) ?? 0) + 1;
    turns.set(scenario, turn);
    answered.push({ scenario, turn, messages: req.body.messages.length });
    if (turn > 1) return { blocks: [text('done')] };
    if (scenario === 'dm')
      return { blocks: [toolUse('send_message', { chatJid: 'tg:111', text: LONG })] };
    if (scenario === 'group')
      return { blocks: [toolUse('send_message', { chatJid: 'tg:-100500', text: 'hello, team' })] };
    if (scenario === 'plain') return { blocks: [text('The **answer** is 42.')] };
    if (scenario === 'cross')
      return { blocks: [toolUse('send_message', { chatJid: 'tg:111', text: 'not your chat' })] };
    return { blocks: [text('ok')] };
  };
  const call = <T>(op: string, input: unknown = {}) => app.call(op, input) as Promise<T>;
  const sessionFor = async (jid: string) =>
    (await call<{ sessions: Session[] }>('sessions.list', { limit: 100 })).sessions.find(
      (s) => s.chatJid === jid,
    );
  const ended = (jid: string) =>
    expect
      .poll(async () => (await sessionFor(jid))?.state, {
        timeout: 60_000,
        message: `session for ${jid}`,
      })
      .toBe('ended');

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    app = await startAgentApp(script, {
      appOptions: { channelEndpoints: { telegramApiRoot: telegram.apiRoot } },
    });
    await call('channels.configure', {
      name: 'telegram',
      enabled: true,
      credentials: { botToken: TOKEN },
    });
    for (let i = 0; i < 100; i++) {
      if ((await call<ChannelStatus>('channels.get', { name: 'telegram' })).state === 'connected')
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await call('channels.mapChat', { name: 'telegram', jid: 'tg:111', group: 'main' });
    await call('groups.create', { name: 'team', chatJids: ['tg:-100500'] });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  it('a direct message starts a container session whose long reply arrives split, on that chat', async () => {
    telegram.push({ chatId: 111, text: 'SCENARIO:dm tell me a long story' });
    await ended('tg:111');
    await expect
      .poll(() => telegram.sent.filter((m) => m.chatId === '111').length, { timeout: 10_000 })
      .toBe(3);
    const toChat = telegram.sent.filter((m) => m.chatId === '111');
    expect(toChat.every((m) => m.text.length <= 4096)).toBe(true);
    // Split at the paragraph breaks (each paragraph is ~2,200 characters; two do not fit).
    expect(toChat.map((m) => m.text.slice(0, 7))).toEqual(['Part 1.', 'Part 2.', 'Part 3.']);
    const session = await sessionFor('tg:111');
    expect(session).toMatchObject({ trigger: 'channel', lastStatus: 'succeeded' });
    // "Typing…" was shown while the agent worked.
    expect(telegram.actions.some((a) => a.chatId === '111' && a.action === 'typing')).toBe(true);
  }, 90_000);

  it('an agent that answers in plain text has its answer sent to the chat, once', async () => {
    await call('channels.mapChat', { name: 'telegram', jid: 'tg:222', group: 'main' });
    telegram.push({ chatId: 222, text: 'SCENARIO:plain what is the answer?' });
    await ended('tg:222');
    await expect
      .poll(() => telegram.sent.filter((m) => m.chatId === '222'), { timeout: 10_000 })
      .toEqual([{ chatId: '222', text: 'The <b>answer</b> is 42.', parseMode: 'HTML' }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(telegram.sent.filter((m) => m.chatId === '222')).toHaveLength(1);
  }, 90_000);

  it('a group chat triggers on an @mention only, and the reply goes to the group', async () => {
    telegram.push({ chatId: -100500, text: 'SCENARIO:group lunch plans?' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await sessionFor('tg:-100500')).toBeUndefined();
    telegram.push({ chatId: -100500, text: 'SCENARIO:group what do you think?', mentionBot: true });
    await ended('tg:-100500');
    await expect
      .poll(() => telegram.sent.filter((m) => m.chatId === '-100500').map((m) => m.text), {
        timeout: 10_000,
        // A first turn answered twice (a retried request) shows here as two with messages: 1.
        message: `the group's reply; the LLM answered: ${JSON.stringify(answered.filter((a) => a.scenario === 'group'))}`,
      })
      .toEqual(['hello, team']);
  }, 90_000);

  it("a non-main group's agent messaging another group's chat is blocked, audited, and nothing is sent", async () => {
    const before = telegram.sent.length;
    telegram.push({ chatId: -100500, text: 'SCENARIO:cross try the other chat', mentionBot: true });
    await expect
      .poll(
        async () => {
          const audit = await call<{ entries: AuditEntry[] }>('audit.query', {
            severity: 'violation',
            category: 'ipc',
            limit: 20,
          });
          return audit.entries.some(
            (e) =>
              e.group === 'team' && (e.details as { targetJid?: string }).targetJid === 'tg:111',
          );
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    const session = await sessionFor('tg:-100500');
    const detail = await call<SessionDetail>('sessions.get', { id: session!.id });
    expect(detail.transcript.some((i) => i.kind === 'message' && i.status === 'refused')).toBe(
      true,
    );
    expect(telegram.sent.slice(before).filter((m) => m.chatId === '111')).toEqual([]);
  }, 90_000);
});
