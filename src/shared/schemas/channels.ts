import { z } from 'zod';

/**
 * Chat channels: the platforms people talk to their agents from. Each channel's settings live
 * in DATA_DIR/channels.json; its secrets (tokens, app secret) in the secret store, never here.
 */
export const channelNameSchema = z.enum(['telegram', 'whatsapp', 'slack', 'discord']);
export type ChannelName = z.infer<typeof channelNameSchema>;

/** The JID prefix of each channel: `tg:<chat_id>`, `wa:<phone_or_group_id>`. */
export const JID_PREFIX: Record<ChannelName, string> = {
  telegram: 'tg',
  whatsapp: 'wa',
  slack: 'slack',
  discord: 'dc',
};

/** How each channel is named to people. */
export const CHANNEL_TITLE: Record<ChannelName, string> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  slack: 'Slack',
  discord: 'Discord',
};

export const channelStateSchema = z.enum([
  /** Turned off, or no credentials yet. */
  'disabled',
  'connecting',
  'connected',
  /** Lost and retrying with backoff: `attempt`, `nextRetryAt`. */
  'reconnecting',
  /** Stopped retrying: the cause is in `lastError` (a revoked token, say). */
  'failed',
]);
export type ChannelState = z.infer<typeof channelStateSchema>;

export const botIdentitySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Telegram's @username; WhatsApp's display phone number. */
  username: z.string().nullable(),
  /** What the user should know: group privacy on, the webhook URL to paste. */
  notes: z.array(z.string()),
});
export type BotIdentity = z.infer<typeof botIdentitySchema>;

export const channelChatSchema = z.object({
  jid: z.string(),
  title: z.string(),
  kind: z.enum(['direct', 'group']),
  lastMessageAt: z.string(),
  /** The group this chat is mapped to, if any (by the group's chatJids). */
  group: z.string().nullable(),
});
export type ChannelChat = z.infer<typeof channelChatSchema>;

export const channelStatusSchema = z
  .object({
    name: channelNameSchema,
    enabled: z.boolean(),
    /** Whether every credential the channel needs is stored. */
    configured: z.boolean(),
    state: channelStateSchema,
    connectedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    /** While reconnecting: which attempt comes next, and when. */
    attempt: z.number(),
    nextRetryAt: z.string().nullable(),
    botIdentity: botIdentitySchema.nullable(),
    chats: z.array(channelChatSchema),
    messagesIn: z.number(),
    messagesOut: z.number(),
    /** Messages dropped because their sender is not on the group's allowlist. */
    blockedSenders: z.number(),
    /** Replies waiting to go out (kept on disk while the channel is down). */
    queueDepth: z.number(),
    /** The last reply the platform refused for good (the bot is not in the chat, say). */
    lastRefusal: z
      .object({ jid: z.string(), message: z.string(), fix: z.array(z.string()), at: z.string() })
      .nullable(),
    /** WhatsApp: where Meta must send events, and whether it has verified it. */
    webhook: z
      .object({ path: z.string(), verified: z.boolean(), signatureFailures: z.number() })
      .nullable(),
  })
  .meta({ id: 'ChannelStatus' });
export type ChannelStatus = z.infer<typeof channelStatusSchema>;

const secret = (what: string) =>
  z
    .string()
    .trim()
    .min(8, `the ${what} looks too short`)
    .max(4096)
    .refine(
      (v) => /^[\x21-\x7e]+$/.test(v),
      `the ${what} may only contain plain visible characters`,
    );

export const telegramCredentialsSchema = z
  .object({
    botToken: secret('bot token').refine(
      (t) => /^\d+:[A-Za-z0-9_-]{20,}$/.test(t),
      'a Telegram bot token looks like 123456789:AAE… (from @BotFather)',
    ),
  })
  .strict();

export const whatsappCredentialsSchema = z
  .object({
    phoneNumberId: z
      .string()
      .trim()
      .regex(/^\d{5,20}$/, 'the phone number ID is the number Meta shows under API Setup'),
    accessToken: secret('access token'),
    appSecret: secret('app secret'),
    /** Chosen by the user; pasted into Meta's webhook settings as the verify token. */
    verifyToken: secret('verify token'),
  })
  .strict();

export const slackCredentialsSchema = z
  .object({
    botToken: secret('bot token').refine(
      (t) => t.startsWith('xoxb-'),
      'the bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)',
    ),
    appToken: secret('app-level token').refine(
      (t) => t.startsWith('xapp-'),
      'the app-level token starts with xapp- (Basic Information → App-Level Tokens)',
    ),
  })
  .strict();

export const discordCredentialsSchema = z
  .object({
    botToken: secret('bot token').refine(
      (t) => /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(t),
      'a Discord bot token has three parts separated by dots (Developer Portal → Bot → Reset Token)',
    ),
  })
  .strict();

export const channelSettingsSchema = z.object({
  slack: z.object({ enabled: z.boolean().default(false) }).prefault({}),
  discord: z.object({ enabled: z.boolean().default(false) }).prefault({}),
  telegram: z
    .object({
      enabled: z.boolean().default(false),
      /** Long polling (works anywhere), or a webhook through the user's HTTPS tunnel. */
      mode: z.enum(['polling', 'webhook']).default('polling'),
      /** The tunnel's public HTTPS address, for webhook mode (the path is aigo's). */
      publicUrl: z
        .string()
        .url()
        .startsWith('https://', 'Telegram needs an https:// address')
        .nullable()
        .default(null),
    })
    .prefault({}),
  whatsapp: z
    .object({
      enabled: z.boolean().default(false),
      phoneNumberId: z.string().nullable().default(null),
      /** When Meta last verified the webhook (or a signed event arrived). */
      webhookVerifiedAt: z.string().nullable().default(null),
    })
    .prefault({}),
  /** A chat no group lists: hand it to the default group, or ignore it. */
  unmappedChats: z.enum(['ignore', 'default_group']).default('ignore'),
  /** Recent untriggered messages of a chat given to the agent as context. */
  contextMessages: z.number().int().min(0).max(100).default(20),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

export const configureChannelSchema = z
  .object({
    name: channelNameSchema,
    enabled: z.boolean().optional(),
    /** New credentials: replace the stored ones (write-only, never read back). */
    credentials: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const validateChannelSchema = z
  .object({
    name: channelNameSchema,
    /** Credentials to try before saving; without them, the stored ones. */
    credentials: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const validationResultSchema = z.object({
  ok: z.boolean(),
  identity: botIdentitySchema.nullable(),
  message: z.string(),
  fix: z.array(z.string()),
});
export type ValidationResult = z.infer<typeof validationResultSchema>;

export const telegramModeSchema = z
  .object({
    mode: z.enum(['polling', 'webhook']),
    publicUrl: z
      .string()
      .trim()
      .url('the public address must be a full URL such as https://abc.trycloudflare.com')
      .startsWith('https://', 'Telegram delivers webhooks only to https:// addresses')
      .nullable(),
  })
  .strict();

export const routingSettingsSchema = z
  .object({
    unmappedChats: z.enum(['ignore', 'default_group']).optional(),
    contextMessages: z.number().int().min(0).max(100).optional(),
  })
  .strict();
