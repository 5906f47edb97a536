import type { BotIdentity, ValidationResult } from '../../../../shared/schemas/channels';
import { redactString } from '../../logging/redact';
import { ChannelError, type Channel, type ChannelEvents } from '../channel';

export interface WhatsAppOptions {
  /** The Graph API root: graph.facebook.com, or a local server in tests. */
  graphApiRoot?: string;
  graphApiVersion?: string;
  timeoutMs?: number;
}

const TOKEN_FIX = [
  'Meta for Developers → your app → WhatsApp → API Setup: check the phone number ID, and create a permanent access token (Business settings → System users → Generate token, with whatsapp_business_messaging)',
  'Paste them under Settings > Channels > WhatsApp, then Validate',
];

/**
 * WhatsApp on Meta's Cloud API: the Graph API to check credentials and send, and messages in
 * through the webhook (the core's `receive`), which the local API serves. There is no socket
 * to keep open: "connected" means the credentials work and the webhook may deliver.
 */
export class WhatsAppChannel implements Channel {
  readonly name = 'whatsapp' as const;
  readonly maxMessageLength = 4096;
  private creds: Record<string, string> | null = null;

  constructor(private readonly options: WhatsAppOptions = {}) {}

  private url(path: string): string {
    const root = (this.options.graphApiRoot ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    return `${root}/${this.options.graphApiVersion ?? 'v21.0'}/${path}`;
  }

  private async graph(
    creds: Record<string, string>,
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<Record<string, unknown>> {
    const sending = init.method === 'POST';
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${creds.accessToken}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ChannelError('transient', `Cannot reach Meta's Graph API: ${cause}.`, null, [
        'Check the internet connection',
      ]);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return body;
    throw classify(response, body, sending);
  }

  async validate(credentials: Record<string, string>): Promise<ValidationResult> {
    try {
      const identity = await this.lookup(credentials);
      return {
        ok: true,
        identity,
        message: `The phone number ${identity.username ?? identity.id} (${identity.name}) answers to this token.`,
        fix: [],
      };
    } catch (error) {
      const failure =
        error instanceof ChannelError ? error : new ChannelError('transient', String(error));
      return { ok: false, identity: null, message: failure.message, fix: failure.fix };
    }
  }

  private async lookup(creds: Record<string, string>): Promise<BotIdentity> {
    const phone = await this.graph(
      creds,
      `${encodeURIComponent(creds.phoneNumberId ?? '')}?fields=display_phone_number,verified_name`,
    );
    return {
      id: String(creds.phoneNumberId),
      name: String(phone.verified_name ?? 'WhatsApp Business number'),
      username: phone.display_phone_number ? String(phone.display_phone_number) : null,
      notes: [
        "Free-form replies reach a user only within 24 hours of their last message (Meta's rule); a reply later than that is refused and shown in the audit log.",
      ],
    };
  }

  async connect(credentials: Record<string, string>, _events: ChannelEvents): Promise<BotIdentity> {
    const identity = await this.lookup(credentials);
    this.creds = credentials;
    return identity;
  }

  async disconnect(): Promise<void> {
    this.creds = null;
  }

  async send(chatId: string, text: string): Promise<void> {
    if (!this.creds) throw new ChannelError('transient', 'WhatsApp is not connected.');
    await this.graph(this.creds, `${encodeURIComponent(this.creds.phoneNumberId ?? '')}/messages`, {
      method: 'POST',
      body: { messaging_product: 'whatsapp', to: chatId, type: 'text', text: { body: text } },
    });
  }

  async typing(): Promise<void> {
    // The Cloud API has no plain typing indicator outside read receipts: nothing to do.
  }
}

/** A Graph API error in the core's terms: Meta's error codes, not only the HTTP status. */
function classify(
  response: Response,
  body: Record<string, unknown>,
  sending: boolean,
): ChannelError {
  const error = (body.error ?? {}) as { code?: number; message?: string; error_subcode?: number };
  const code = error.code ?? 0;
  const text = redactString(
    `${response.status}${code ? ` (code ${code})` : ''}: ${error.message ?? response.statusText}`,
  );
  if (response.status === 401 || code === 190)
    return new ChannelError(
      'auth',
      `Meta refused the access token ${text}. It is wrong or expired.`,
      null,
      TOKEN_FIX,
    );
  if (response.status === 429 || [4, 80007, 130429, 131056].includes(code)) {
    const seconds = Number(response.headers.get('retry-after') ?? 60);
    return new ChannelError('rate_limited', `Meta asked to slow down ${text}.`, seconds * 1000);
  }
  if (code === 131047)
    return new ChannelError(
      'rejected',
      `WhatsApp refused the reply ${text}: more than 24 hours have passed since the user's last message.`,
      null,
      [
        'The user must write to the number again; replies after 24 hours need an approved template message',
      ],
    );
  if (!sending && (code === 100 || response.status === 404))
    return new ChannelError(
      'auth',
      `Meta does not know that phone number ID ${text}.`,
      null,
      TOKEN_FIX,
    );
  if (response.status >= 500)
    return new ChannelError('transient', `Meta's Graph API failed ${text}.`);
  return new ChannelError('rejected', `WhatsApp refused the message ${text}.`);
}
