/**
 * The API paths the platforms call (their webhooks). Known before the channels domain loads,
 * so the API serves them from its first moment and hands each request on once the domain is up.
 */
export const WHATSAPP_WEBHOOK_PATH = '/api/v1/channels/whatsapp/webhook';
export const TELEGRAM_WEBHOOK_PATH = '/api/v1/channels/telegram/webhook';
export const CHANNEL_WEBHOOK_PATHS = [WHATSAPP_WEBHOOK_PATH, TELEGRAM_WEBHOOK_PATH] as const;
export type ChannelWebhookPath = (typeof CHANNEL_WEBHOOK_PATHS)[number];
