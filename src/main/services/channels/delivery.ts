import type { ChannelName } from '../../../shared/schemas/channels';
import type { MessageRouter, RoutedMessage, RouteResult } from '../sessions/message-router';
import { ChannelError, type Channel } from './channel';
import { asChannelError } from './connection';
import { parseJid } from './jid';
import type { OutboundQueue } from './outbound-queue';
import { splitMessage } from './split-message';

export interface DeliveryDeps {
  queue: OutboundQueue;
  channel: (name: ChannelName) => Channel | null;
  /** A channel that is on (enabled, with credentials): replies to it are queued. */
  isOn: (name: ChannelName) => boolean;
  isConnected: (name: ChannelName) => boolean;
  /** The channel's connection broke while sending (auth, or the line went away). */
  lost: (name: ChannelName, error: ChannelError) => void;
  sent: (name: ChannelName, jid: string) => void;
  /** The platform refused a message for good: tell the user where it went. */
  refused: (name: ChannelName, jid: string, error: ChannelError, session: string) => void;
  changed: (name: ChannelName) => void;
  random?: () => number;
}

const TRANSIENT_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000];

/**
 * Replies from agents to chats: the IPC watcher hands each authorized message here
 * (`deliver`), it is split to the platform's limit and queued on disk before the hand-off is
 * acknowledged, then each channel drains its queue in order while connected — waiting out a
 * 429's retry_after (with jitter), backing off on network errors, dropping only what the
 * platform refuses for good.
 */
export class Delivery implements MessageRouter {
  private readonly draining = new Set<ChannelName>();
  private readonly timers = new Map<ChannelName, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: DeliveryDeps) {}

  async deliver(message: RoutedMessage): Promise<RouteResult> {
    const target = parseJid(message.chatJid);
    const channel = target ? this.deps.channel(target.channel) : null;
    if (!target || !channel || !this.deps.isOn(target.channel))
      return {
        status: 'kept',
        detail: `No channel is connected for ${message.chatJid}: the message is kept in this session.`,
      };
    const outcome = await this.deps.queue.add({
      id: message.id,
      channel: target.channel,
      jid: message.chatJid,
      chatId: target.chatId,
      parts: splitMessage(message.text, channel.maxMessageLength),
      sent: 0,
      attempts: 0,
      notBefore: 0,
      createdAt: new Date().toISOString(),
      group: message.group.name,
      session: message.session,
    });
    this.deps.changed(target.channel);
    this.kick(target.channel);
    return {
      status: 'delivered',
      detail:
        outcome === 'duplicate'
          ? `Already handed to ${target.channel} (not sent twice).`
          : this.deps.isConnected(target.channel)
            ? `Sent to ${message.chatJid} through ${target.channel}.`
            : `Queued for ${message.chatJid}: ${target.channel} is not connected; it goes out when it is.`,
    };
  }

  /** Drains a channel's queue now (after connecting, or a new reply). */
  kick(name: ChannelName): void {
    if (this.stopped || this.draining.has(name) || !this.deps.isConnected(name)) return;
    void this.drain(name);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async drain(name: ChannelName): Promise<void> {
    const channel = this.deps.channel(name);
    if (!channel) return;
    this.draining.add(name);
    try {
      while (!this.stopped && this.deps.isConnected(name)) {
        const entry = this.deps.queue.next(name);
        if (!entry) break;
        try {
          await channel.send(entry.chatId, entry.parts[entry.sent]!);
          await this.deps.queue.partSent(entry.id);
          this.deps.sent(name, entry.jid);
        } catch (error) {
          const failure = asChannelError(error);
          if (failure.kind === 'rejected') {
            await this.deps.queue.drop(entry.id);
            this.deps.refused(name, entry.jid, failure, entry.session);
          } else if (failure.kind === 'rate_limited') {
            const jitter = 1 + (this.deps.random ?? Math.random)() * 0.1;
            await this.deps.queue.retryLater(
              entry.id,
              Math.round((failure.retryAfterMs ?? 1000) * jitter),
            );
          } else {
            const wait =
              TRANSIENT_RETRY_MS[Math.min(entry.attempts, TRANSIENT_RETRY_MS.length - 1)]!;
            await this.deps.queue.retryLater(entry.id, wait);
            if (failure.kind === 'auth') this.deps.lost(name, failure);
          }
        }
        this.deps.changed(name);
      }
    } finally {
      this.draining.delete(name);
      this.schedule(name);
    }
  }

  /** Wakes the drain when the earliest waiting entry is due. */
  private schedule(name: ChannelName): void {
    const existing = this.timers.get(name);
    if (existing) clearTimeout(existing);
    this.timers.delete(name);
    const due = this.deps.queue.nextDueAt(name);
    if (this.stopped || due === null) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(name);
        this.kick(name);
      },
      Math.max(0, due - Date.now()) + 5,
    );
    this.timers.set(name, timer);
  }
}

export { ChannelError };
