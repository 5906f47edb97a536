import type { EventBus } from '../events/event-bus';
import type { Channel } from './channel';
import { parseJid } from './jid';

/** Telegram shows "typing…" for about 5 s per call: repeat a little sooner while the agent works. */
const REPEAT_MS = 4500;
const WORKING = new Set(['starting', 'running']);

/**
 * "Typing…" in a chat while an agent works for it: started when a session for the chat starts
 * or runs, stopped when it waits, ends or stops. One timer per chat, all released on stop().
 */
export class TypingIndicators {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private off: (() => void) | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly channelFor: (jid: string) => Channel | null,
  ) {}

  start(): void {
    this.off = this.bus.on('session.updated', (session) => {
      if (!session.chatJid) return;
      if (WORKING.has(session.state)) this.begin(session.chatJid);
      else this.end(session.chatJid);
    });
  }

  stop(): void {
    this.off?.();
    this.off = null;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  private begin(jid: string): void {
    if (this.timers.has(jid)) return;
    const send = () => {
      const target = parseJid(jid);
      const channel = this.channelFor(jid);
      if (target && channel) void channel.typing(target.chatId).catch(() => undefined);
    };
    send();
    this.timers.set(jid, setInterval(send, REPEAT_MS));
  }

  private end(jid: string): void {
    const timer = this.timers.get(jid);
    if (timer) clearInterval(timer);
    this.timers.delete(jid);
  }
}
