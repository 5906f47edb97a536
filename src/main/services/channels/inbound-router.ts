import type { ChannelName, ChannelSettings } from '../../../shared/schemas/channels';
import type { Group } from '../../../shared/schemas/groups';
import type { Session } from '../../../shared/schemas/sessions';
import type { InboundMessage } from './channel';
import { jidOf } from './jid';

/**
 * An incoming chat message's way to an agent: the chat's group (by its JID; else the default
 * group or nowhere, per the setting) → the group's sender allowlist (blocked: dropped and
 * counted) → the trigger rules (a direct chat always triggers; in a group chat only an
 * @mention of the bot or the group's trigger word does, unless the group needs no trigger) →
 * the chat's running session is steered, or a new one starts with the chat's recent
 * untriggered messages as context.
 */
export interface InboundDeps {
  groups: () => Group[];
  settings: () => Pick<ChannelSettings, 'unmappedChats' | 'contextMessages'>;
  /** The chat's session still at work, if any. */
  activeSession: (jid: string) => Session | null;
  startSession: (input: { group: string; prompt: string; chatJid: string }) => Promise<Session>;
  steer: (sessionId: string, text: string) => Promise<unknown>;
}

export type InboundOutcome =
  | { action: 'ignored'; reason: 'unmapped_chat' }
  | { action: 'blocked'; group: string }
  | { action: 'remembered'; group: string }
  | { action: 'steered'; group: string; session: string }
  | { action: 'started'; group: string; session: string };

interface Remembered {
  sender: string;
  text: string;
  at: string;
}

export class InboundRouter {
  /** Per chat: recent messages that did not trigger the agent, oldest first. */
  private readonly context = new Map<string, Remembered[]>();
  /** Per chat, the message being routed: two arriving at once must not start two sessions. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: InboundDeps) {}

  route(channel: ChannelName, message: InboundMessage): Promise<InboundOutcome> {
    const jid = jidOf(channel, message.chatId);
    const previous = this.inFlight.get(jid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.routeOne(channel, jid, message));
    this.inFlight.set(jid, next);
    void next
      .finally(() => {
        if (this.inFlight.get(jid) === next) this.inFlight.delete(jid);
      })
      .catch(() => undefined);
    return next;
  }

  private async routeOne(
    channel: ChannelName,
    jid: string,
    message: InboundMessage,
  ): Promise<InboundOutcome> {
    const groups = this.deps.groups();
    let group = groups.find((g) => g.chatJids.includes(jid)) ?? null;
    if (!group && this.deps.settings().unmappedChats === 'default_group')
      group = groups.find((g) => g.isMain) ?? null;
    if (!group) return { action: 'ignored', reason: 'unmapped_chat' };

    if (group.senderAllowlist.length > 0 && !allowed(group.senderAllowlist, channel, message))
      return { action: 'blocked', group: group.name };

    if (!triggers(group, message)) {
      this.remember(jid, message);
      return { action: 'remembered', group: group.name };
    }

    const text = `${message.senderName}: ${message.text}`;
    const active = this.deps.activeSession(jid);
    if (active) {
      await this.deps.steer(active.id, text);
      return { action: 'steered', group: group.name, session: active.id };
    }
    const session = await this.deps.startSession({
      group: group.id,
      chatJid: jid,
      prompt: this.promptWithContext(jid, message),
    });
    return { action: 'started', group: group.name, session: session.id };
  }

  private remember(jid: string, message: InboundMessage): void {
    const limit = this.deps.settings().contextMessages;
    if (limit === 0) return;
    const list = this.context.get(jid) ?? [];
    list.push({ sender: message.senderName, text: message.text, at: message.at });
    this.context.set(jid, list.slice(-limit));
  }

  private promptWithContext(jid: string, message: InboundMessage): string {
    const earlier = this.context.get(jid) ?? [];
    this.context.delete(jid);
    const reply = `Reply in this chat (${jid}) with the send_message tool.`;
    const asked = `${message.senderName} wrote to you in ${message.chatKind === 'direct' ? 'a direct chat' : `the chat "${message.chatTitle}"`}:\n${message.text}`;
    if (earlier.length === 0) return `${asked}\n\n${reply}`;
    const lines = earlier.map((m) => `[${m.at}] ${m.sender}: ${m.text}`).join('\n');
    return `Recent messages in this chat, not addressed to you:\n${lines}\n\n${asked}\n\n${reply}`;
  }
}

/** Allowlist entries match the sender's id, or `<prefix>:<id>`, or `@username`. */
function allowed(list: string[], channel: ChannelName, message: InboundMessage): boolean {
  const forms = new Set([
    message.senderId,
    jidOf(channel, message.senderId),
    `@${message.senderName}`.toLowerCase(),
  ]);
  return list.some((entry) => forms.has(entry) || forms.has(entry.toLowerCase()));
}

function triggers(group: Group, message: InboundMessage): boolean {
  if (message.chatKind === 'direct') return true;
  if (message.mentionsBot) return true;
  if (!group.requiresTrigger) return true;
  const word = group.trigger.trim().toLowerCase();
  return word !== '' && message.text.toLowerCase().includes(word);
}
