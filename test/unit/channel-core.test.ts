import { describe, expect, it, vi } from 'vitest';
import { ChannelError } from '../../src/main/services/channels/channel';
import { ConnectionMachine } from '../../src/main/services/channels/connection';
import { chatReplyForRun } from '../../src/main/services/channels/final-answer';
import { InboundRouter } from '../../src/main/services/channels/inbound-router';
import { splitMessage } from '../../src/main/services/channels/split-message';
import { toSlackMrkdwn } from '../../src/main/services/channels/slack/slack-format';
import { toTelegramHtml } from '../../src/main/services/channels/telegram/telegram-format';
import type { TranscriptItem } from '../../src/shared/schemas/sessions';

describe('splitting a reply to the platform limit', () => {
  it('prefers a paragraph, then a sentence, then a word, and never exceeds the limit', () => {
    expect(splitMessage('short', 10)).toEqual(['short']);
    expect(splitMessage('First para here.\n\nSecond one.', 20)).toEqual([
      'First para here.',
      'Second one.',
    ]);
    expect(splitMessage('One sentence here. Another one follows.', 25)).toEqual([
      'One sentence here.',
      'Another one follows.',
    ]);
    expect(splitMessage('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
    const parts = splitMessage('x'.repeat(25), 10);
    expect(parts).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    for (const part of splitMessage(`${'word '.repeat(2000)}`, 4096))
      expect(part.length).toBeLessThanOrEqual(4096);
  });

  it('does not cut an emoji in half', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}`;
    const parts = splitMessage(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});

describe('connection state machine', () => {
  it('backs off with growing delays on transient errors, and fails at once on auth', async () => {
    vi.useFakeTimers();
    try {
      const outcomes: (ChannelError | null)[] = [
        new ChannelError('transient', 'down'),
        new ChannelError('transient', 'still down'),
        null,
      ];
      const states: string[] = [];
      const machine = new ConnectionMachine(
        async () => {
          const next = outcomes.shift();
          if (next) throw next;
        },
        (s) => states.push(`${s.state}${s.attempt ? `#${s.attempt}` : ''}`),
        { initialMs: 1000, maxMs: 60_000, jitter: 0 },
      );
      await machine.start();
      expect(machine.current).toMatchObject({ state: 'reconnecting', attempt: 1 });
      await vi.advanceTimersByTimeAsync(1000);
      expect(machine.current).toMatchObject({ state: 'reconnecting', attempt: 2 });
      await vi.advanceTimersByTimeAsync(1999);
      expect(machine.current.state).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(1);
      expect(machine.current.state).toBe('connected');
      machine.lost(new ChannelError('auth', 'token revoked'));
      expect(machine.current).toMatchObject({ state: 'failed', lastError: 'token revoked' });
      await vi.advanceTimersByTimeAsync(120_000);
      expect(machine.current.state).toBe('failed');
      expect(states).toContain('reconnecting#2');
      machine.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a chat's answer when a run ends", () => {
  const t = (time: string, item: Partial<TranscriptItem> & { kind: TranscriptItem['kind'] }) =>
    ({ id: time, time, ...item }) as TranscriptItem;
  const run = { status: 'succeeded' as const, startedAt: '2026-01-01T00:00:10Z', error: null };

  it('sends the last plain answer, unless the agent already wrote to the chat', () => {
    const transcript = [
      t('2026-01-01T00:00:05Z', { kind: 'assistant', text: 'old answer', turn: 1 }),
      t('2026-01-01T00:00:11Z', { kind: 'assistant', text: 'thinking', turn: 1 }),
      t('2026-01-01T00:00:12Z', { kind: 'assistant', text: 'final', turn: 2 }),
    ];
    expect(chatReplyForRun(run, transcript, 'tg:1')).toBe('final');
    const sent = [
      ...transcript,
      t('2026-01-01T00:00:13Z', {
        kind: 'message',
        chatJid: 'tg:1',
        text: 'hi',
        status: 'delivered',
        messageId: 'm',
        detail: null,
      }),
    ];
    expect(chatReplyForRun(run, sent, 'tg:1')).toBeNull();
    expect(chatReplyForRun({ ...run, status: 'cancelled' }, transcript, 'tg:1')).toBeNull();
    expect(chatReplyForRun({ ...run, status: 'timeout' }, transcript, 'tg:1')).toMatch(
      /ran out of time/,
    );
  });
});

describe('inbound routing', () => {
  it('two messages arriving at once in one chat start one session; the second steers it', async () => {
    const started: string[] = [];
    const steered: string[] = [];
    let active: { id: string } | null = null;
    const router = new InboundRouter({
      groups: () => [
        {
          id: 'g',
          name: 'main',
          isMain: true,
          chatJids: ['tg:1'],
          senderAllowlist: [],
          trigger: '@aigo',
          requiresTrigger: false,
        } as never,
      ],
      settings: () => ({ unmappedChats: 'ignore', contextMessages: 20 }),
      activeSession: () => active as never,
      startSession: async (input) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        started.push(input.prompt);
        active = { id: 's1' };
        return active as never;
      },
      steer: async (_id, text) => void steered.push(text),
    });
    const message = (text: string, id: string) => ({
      chatId: '1',
      chatTitle: 'Ada',
      chatKind: 'direct' as const,
      senderId: '7',
      senderName: 'ada',
      text,
      mentionsBot: false,
      messageId: id,
      at: '2026-01-01T00:00:00Z',
    });
    const outcomes = await Promise.all([
      router.route('telegram', message('first', 'a')),
      router.route('telegram', message('second', 'b')),
    ]);
    expect(outcomes.map((o) => o.action)).toEqual(['started', 'steered']);
    expect(started).toHaveLength(1);
    expect(steered).toEqual(['ada: second']);
  });
});

describe('Slack formatting', () => {
  it('turns Markdown into mrkdwn and escapes what Slack reserves', () => {
    expect(toSlackMrkdwn('**done** see [the log](https://x.dev/l) & <this>; `a<b>`')).toBe(
      '*done* see <https://x.dev/l|the log> &amp; &lt;this&gt;; `a&lt;b&gt;`',
    );
  });
});

describe('Telegram formatting', () => {
  it('turns Markdown into Telegram HTML and escapes the rest', () => {
    expect(toTelegramHtml('**bold** and `a<b>` & [link](https://x.dev)')).toBe(
      '<b>bold</b> and <code>a&lt;b&gt;</code> &amp; <a href="https://x.dev">link</a>',
    );
    expect(toTelegramHtml('```js\nif (a < b) {}\n```')).toBe('<pre>if (a &lt; b) {}</pre>');
  });
});
