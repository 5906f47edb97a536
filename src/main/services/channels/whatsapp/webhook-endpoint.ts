import type { AuditLog } from '../../audit/audit-log';
import type { InboundMessage } from '../channel';
import { inboundMessages, signatureValid, verifySubscription } from './whatsapp-webhook';

import { WHATSAPP_WEBHOOK_PATH } from '../webhook-paths';

export { WHATSAPP_WEBHOOK_PATH };

export interface WebhookRequest {
  method: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface WebhookDeps {
  /** The saved credentials while WhatsApp is on; null otherwise. */
  credentials: () => Record<string, string> | null;
  audit: AuditLog;
  verifiedAt: () => string | null;
  markVerified: () => Promise<void>;
  receive: (message: InboundMessage) => void;
  changed: () => void;
}

/**
 * Meta's webhook (GET: the subscription check; POST: signed events). Answers as Meta expects —
 * the challenge, or 200 — when all is right, and 403 otherwise, audited: only Meta should post.
 */
export class WhatsAppWebhook {
  signatureFailures = 0;

  constructor(private readonly deps: WebhookDeps) {}

  async handle(req: WebhookRequest): Promise<{ status: number; body: string }> {
    const creds = this.deps.credentials();
    if (!creds) return { status: 404, body: 'WhatsApp is not set up in aigo.' };
    if (req.method === 'GET') {
      const check = verifySubscription(req.query, creds.verifyToken ?? '');
      if (!check.ok) {
        this.deps.audit.record({
          severity: 'warning',
          category: 'channel',
          message:
            'WhatsApp webhook verification refused: wrong verify token (or not a subscribe request)',
          details: { channel: 'whatsapp' },
          coalesceKey: 'whatsapp-webhook-verify',
        });
        return { status: 403, body: 'Verification failed.' };
      }
      await this.verified();
      return { status: 200, body: check.challenge };
    }
    if (!signatureValid(req.body, req.headers['x-hub-signature-256'], creds.appSecret ?? '')) {
      this.signatureFailures++;
      this.deps.audit.record({
        severity: 'violation',
        category: 'channel',
        message: `Refused a WhatsApp webhook post: ${req.headers['x-hub-signature-256'] ? 'its signature does not match the app secret' : 'it is not signed'}`,
        details: { channel: 'whatsapp', bytes: req.body.length },
        coalesceKey: 'whatsapp-webhook-signature',
      });
      this.deps.changed();
      return { status: 403, body: 'Invalid signature.' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      return { status: 400, body: 'Not JSON.' };
    }
    await this.verified();
    for (const message of inboundMessages(parsed)) this.deps.receive(message);
    return { status: 200, body: 'OK' };
  }

  /** A verified subscription, or a signed event (which proves one), is remembered. */
  private async verified(): Promise<void> {
    if (this.deps.verifiedAt()) return;
    await this.deps.markVerified();
    this.deps.changed();
  }
}
