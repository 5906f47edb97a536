import type { InboundMessage } from '../channel';

/** The parts of the Bot API's objects aigo reads. */
export interface TelegramUser {
  id: number;
  is_bot?: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

interface TelegramEntity {
  type: string;
  offset: number;
  length: number;
  user?: TelegramUser;
}

export interface TelegramMessage {
  message_id: number;
  date: number;
  chat: {
    id: number;
    type: string;
    title?: string;
    first_name?: string;
    last_name?: string;
    username?: string;
  };
  from?: TelegramUser;
  text?: string;
  caption?: string;
  entities?: TelegramEntity[];
  caption_entities?: TelegramEntity[];
  reply_to_message?: { from?: TelegramUser };
}

/**
 * A Bot API message as the channel core's inbound message; null for what an agent cannot use
 * (no text, a channel post, a message from another bot).
 */
export function toInbound(message: TelegramMessage, me: TelegramUser): InboundMessage | null {
  const text = message.text ?? message.caption ?? '';
  if (!text.trim() || !message.from || message.from.is_bot) return null;
  const kind =
    message.chat.type === 'private'
      ? 'direct'
      : ['group', 'supergroup'].includes(message.chat.type)
        ? 'group'
        : null;
  if (!kind) return null;
  const from = message.from;
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ');
  return {
    chatId: String(message.chat.id),
    chatTitle:
      message.chat.title ??
      ([message.chat.first_name, message.chat.last_name].filter(Boolean).join(' ') ||
        message.chat.username ||
        String(message.chat.id)),
    chatKind: kind,
    senderId: String(from.id),
    senderName: from.username ?? name,
    text,
    mentionsBot: mentions(message, text, me),
    messageId: `${message.chat.id}:${message.message_id}`,
    at: new Date(message.date * 1000).toISOString(),
  };
}

/** @username of the bot, a text mention of it, a /command@bot, or a reply to one of its messages. */
function mentions(message: TelegramMessage, text: string, me: TelegramUser): boolean {
  if (message.reply_to_message?.from?.id === me.id) return true;
  const handle = me.username ? `@${me.username.toLowerCase()}` : null;
  for (const entity of [...(message.entities ?? []), ...(message.caption_entities ?? [])]) {
    const part = text.slice(entity.offset, entity.offset + entity.length).toLowerCase();
    if (entity.type === 'mention' && handle && part === handle) return true;
    if (entity.type === 'text_mention' && entity.user?.id === me.id) return true;
    if (entity.type === 'bot_command' && handle && part.endsWith(handle)) return true;
  }
  return false;
}
