import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { WebhookRoute } from '../services/app/webhook-route';

const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * One platform webhook, before the loopback-Host and origin checks (a tunnel forwards with its
 * own host name): the raw body, read to at most 1 MiB, goes to the handler, which checks the
 * platform's signature over exactly those bytes.
 */
export function registerWebhook(app: Hono, hook: WebhookRoute, log: Logger): void {
  app.on(['GET', 'POST'], hook.path, async (c) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_WEBHOOK_BYTES) return c.text('Payload too large.', 413);
    const body = c.req.method === 'POST' ? Buffer.from(await c.req.arrayBuffer()) : Buffer.alloc(0);
    if (body.length > MAX_WEBHOOK_BYTES) return c.text('Payload too large.', 413);
    const headers: Record<string, string | undefined> = {};
    c.req.raw.headers.forEach((value, name) => (headers[name] = value));
    const answer = await hook.handle({ method: c.req.method, query: c.req.query(), headers, body });
    log.debug({ path: hook.path, method: c.req.method, status: answer.status }, 'Webhook call');
    return c.text(answer.body, answer.status as 200);
  });
}
