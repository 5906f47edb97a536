import type { Logger } from 'pino';
import type { WebhookRoute } from '../services/app/webhook-route';
import { header, readBody, sendText, type Exchange } from './exchange';

const MAX_WEBHOOK_BYTES = 1024 * 1024;

class WebhookBodyTooLarge extends Error {}

/**
 * One platform webhook, before the loopback-Host and origin checks (a tunnel forwards with its
 * own host name): the raw body, read to at most 1 MiB, goes to the handler, which checks the
 * platform's signature over exactly those bytes.
 */
export async function answerWebhook(
  exchange: Exchange,
  hook: WebhookRoute,
  log: Logger,
): Promise<void> {
  const declared = Number(header(exchange, 'content-length') ?? 0);
  if (declared > MAX_WEBHOOK_BYTES) return sendText(exchange, 'Payload too large.', 413);
  let body: Buffer = Buffer.alloc(0);
  if (exchange.method === 'POST') {
    try {
      body = await readBody(exchange.req, MAX_WEBHOOK_BYTES, () => new WebhookBodyTooLarge());
    } catch (error) {
      if (error instanceof WebhookBodyTooLarge)
        return sendText(exchange, 'Payload too large.', 413);
      throw error;
    }
  }
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(exchange.req.headers)) headers[name] = header(exchange, name);
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of exchange.query) query[key] ??= value;
  const answer = await hook.handle({ method: exchange.method, query, headers, body });
  log.debug({ path: hook.path, method: exchange.method, status: answer.status }, 'Webhook call');
  sendText(exchange, answer.body, answer.status);
}
