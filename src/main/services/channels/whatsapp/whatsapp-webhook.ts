import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundMessage } from '../channel';

/**
 * Meta's webhook for the Cloud API, served on the local API (reached through the user's
 * tunnel): the subscription check (`hub.challenge` echoed only for the right verify token)
 * and every event POST's `X-Hub-Signature-256`, an HMAC-SHA256 of the raw body with the app
 * secret, compared in constant time before the body is parsed.
 */
export function verifySubscription(
  query: Record<string, string | undefined>,
  verifyToken: string,
): { ok: true; challenge: string } | { ok: false } {
  if (query['hub.mode'] !== 'subscribe') return { ok: false };
  const given = Buffer.from(query['hub.verify_token'] ?? '');
  const expected = Buffer.from(verifyToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
  return { ok: true, challenge: query['hub.challenge'] ?? '' };
}

export function signatureValid(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface WebhookBody {
  object?: string;
  entry?: {
    changes?: {
      field?: string;
      value?: {
        contacts?: { wa_id?: string; profile?: { name?: string } }[];
        messages?: {
          from?: string;
          id?: string;
          timestamp?: string;
          type?: string;
          text?: { body?: string };
        }[];
      };
    }[];
  }[];
}

/** The text messages in one event delivery (statuses and other kinds are not for agents). */
export function inboundMessages(body: unknown): InboundMessage[] {
  const parsed = body as WebhookBody;
  if (parsed?.object !== 'whatsapp_business_account') return [];
  const out: InboundMessage[] = [];
  for (const entry of parsed.entry ?? [])
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages') continue;
      const contacts = change.value?.contacts ?? [];
      for (const m of change.value?.messages ?? []) {
        if (m.type !== 'text' || !m.from || !m.id || !m.text?.body) continue;
        const name = contacts.find((c) => c.wa_id === m.from)?.profile?.name ?? m.from;
        out.push({
          chatId: m.from,
          chatTitle: name,
          chatKind: 'direct',
          senderId: m.from,
          senderName: name,
          text: m.text.body,
          mentionsBot: false,
          messageId: m.id,
          at: new Date(Number(m.timestamp ?? Date.now() / 1000) * 1000).toISOString(),
        });
      }
    }
  return out;
}
