/**
 * A route the local API serves to a platform itself (WhatsApp's webhook, reached through the
 * user's tunnel): authenticated by the platform's own signature and verify token, so exempt
 * from the loopback-Host check and the API token — and from nothing else.
 */
export interface WebhookRoute {
  path: string;
  handle(req: {
    method: string;
    query: Record<string, string | undefined>;
    headers: Record<string, string | undefined>;
    body: Buffer;
  }): Promise<{ status: number; body: string }>;
}
