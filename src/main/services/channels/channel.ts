import type { BotIdentity, ChannelName, ValidationResult } from '../../../shared/schemas/channels';

/**
 * One chat platform. The channel core (connection state, backoff, the outbound queue, routing
 * to agent groups) is shared; a platform is one implementation of this interface plus its
 * settings page. Chat ids here are the platform's own; JIDs (`tg:…`) belong to the core.
 */
export interface Channel {
  readonly name: ChannelName;
  /** The longest text one platform message may carry; longer replies are split. */
  readonly maxMessageLength: number;
  /**
   * Checks the credentials against the platform (Telegram `getMe`, WhatsApp's phone-number
   * lookup) without connecting; every failure says its cause and the fix.
   */
  validate(credentials: Record<string, string>): Promise<ValidationResult>;
  /**
   * Starts receiving: resolves once connected (its identity), rejects with a ChannelError.
   * Messages arrive through `onMessage`; a connection lost later is reported to `onLost`.
   */
  connect(credentials: Record<string, string>, events: ChannelEvents): Promise<BotIdentity>;
  disconnect(): Promise<void>;
  /** Sends one message (already within `maxMessageLength`); throws a ChannelError. */
  send(chatId: string, text: string): Promise<void>;
  /** "Typing…" while an agent works; best effort. */
  typing(chatId: string): Promise<void>;
}

export interface InboundMessage {
  /** The platform's chat id (the core makes the JID). */
  chatId: string;
  chatTitle: string;
  chatKind: 'direct' | 'group';
  /** The platform's stable sender id, and a name for the transcript. */
  senderId: string;
  senderName: string;
  text: string;
  /** The bot was @mentioned (or replied to): in groups, that triggers the agent. */
  mentionsBot: boolean;
  /** The platform's message id: a redelivered message is seen once. */
  messageId: string;
  at: string;
}

export interface ChannelEvents {
  onMessage(message: InboundMessage): void;
  /** The connection dropped after it was up (a dead long poll, say); the core reconnects. */
  onLost(error: ChannelError): void;
}

/**
 * What went wrong, in the terms the core acts on: an auth failure stops retrying (a revoked
 * token will not come back by itself), a rate limit waits as long as asked, a transient error
 * backs off, a rejection of this one message (bad markup, chat not found) does not retry it.
 */
export class ChannelError extends Error {
  constructor(
    readonly kind: 'auth' | 'rate_limited' | 'transient' | 'rejected',
    message: string,
    readonly retryAfterMs: number | null = null,
    /** What the user can do about it, in the guide's words. */
    readonly fix: string[] = [],
  ) {
    super(message);
  }
}
