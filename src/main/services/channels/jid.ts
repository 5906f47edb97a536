import { JID_PREFIX, type ChannelName } from '../../../shared/schemas/channels';

/** `tg:123`, `wa:4915…`: the core's name for a chat on a channel. */
export function jidOf(channel: ChannelName, chatId: string): string {
  return `${JID_PREFIX[channel]}:${chatId}`;
}

/** The channel and the platform's chat id a JID names; null for a JID of no known channel. */
export function parseJid(jid: string): { channel: ChannelName; chatId: string } | null {
  const colon = jid.indexOf(':');
  if (colon < 1) return null;
  const prefix = jid.slice(0, colon);
  const chatId = jid.slice(colon + 1);
  const channel = (Object.keys(JID_PREFIX) as ChannelName[]).find((c) => JID_PREFIX[c] === prefix);
  return channel && chatId ? { channel, chatId } : null;
}
