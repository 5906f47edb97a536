import { AppError } from '../../../shared/errors';
import {
  CHANNEL_TITLE,
  discordCredentialsSchema,
  slackCredentialsSchema,
  telegramCredentialsSchema,
  whatsappCredentialsSchema,
  type ChannelName,
  type ChannelSettings,
  type ValidationResult,
} from '../../../shared/schemas/channels';
import type { AuditLog } from '../audit/audit-log';
import type { SecretStore } from '../secrets/secret-store';

/** The credentials each channel needs, validated, and where each is kept in the secret store. */
const SCHEMAS = {
  telegram: telegramCredentialsSchema,
  whatsapp: whatsappCredentialsSchema,
  slack: slackCredentialsSchema,
  discord: discordCredentialsSchema,
};
const SECRET_FIELDS: Record<ChannelName, string[]> = {
  telegram: ['botToken'],
  whatsapp: ['accessToken', 'appSecret', 'verifyToken'],
  slack: ['botToken', 'appToken'],
  discord: ['botToken'],
};
const secretId = (name: ChannelName, field: string) => `channel.${name}.${field}`;

export const channelTitle = (name: ChannelName) => CHANNEL_TITLE[name];

export interface CredentialDeps {
  secrets: SecretStore;
  audit: AuditLog;
  settings: () => ChannelSettings;
  saveSettings: (patch: (s: ChannelSettings) => ChannelSettings) => Promise<ChannelSettings>;
}

/**
 * A channel's credentials: the secrets in the secret store (write-only: never read back to a
 * client), the non-secret part (WhatsApp's phone number ID) in the channel settings.
 */
export class ChannelCredentials {
  constructor(private readonly deps: CredentialDeps) {}

  /** The saved credentials, or null while any is missing. */
  get(name: ChannelName): Record<string, string> | null {
    const values: Record<string, string> = {};
    for (const field of SECRET_FIELDS[name]) {
      const value = this.deps.secrets.get(secretId(name, field));
      if (!value) return null;
      values[field] = value;
    }
    if (name === 'whatsapp') {
      const id = this.deps.settings().whatsapp.phoneNumberId;
      if (!id) return null;
      values.phoneNumberId = id;
    }
    return values;
  }

  /** Checks and stores new credentials (audited by field name, never by value). */
  async save(name: ChannelName, raw: Record<string, string>): Promise<void> {
    const parsed = SCHEMAS[name].safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: i.message,
      }));
      throw new AppError('INVALID_INPUT', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
        issues,
      });
    }
    const values = parsed.data as Record<string, string>;
    for (const field of SECRET_FIELDS[name])
      await this.deps.secrets.set(secretId(name, field), values[field]!);
    if (name === 'whatsapp')
      await this.deps.saveSettings((s) => ({
        ...s,
        whatsapp: { ...s.whatsapp, phoneNumberId: values.phoneNumberId! },
      }));
    this.deps.audit.record({
      severity: 'info',
      category: 'channel',
      message: `${name} credentials replaced`,
      details: { channel: name, fields: Object.keys(values) },
    });
  }

  /** The credentials to validate (given, else saved), or why there is nothing to validate. */
  forValidation(
    name: ChannelName,
    given: Record<string, string> | undefined,
  ): { ok: true; values: Record<string, string> } | { ok: false; result: ValidationResult } {
    const creds = given ?? this.get(name);
    const title = channelTitle(name);
    if (!creds)
      return {
        ok: false,
        result: {
          ok: false,
          identity: null,
          message: `No ${name} credentials are saved yet.`,
          fix: [`Enter them under Settings > Channels > ${title}, then Validate`],
        },
      };
    const parsed = SCHEMAS[name].safeParse(creds);
    if (!parsed.success)
      return {
        ok: false,
        result: {
          ok: false,
          identity: null,
          message: parsed.error.issues.map((i) => i.message).join('; '),
          fix: [`Check the values under Settings > Channels > ${title}`],
        },
      };
    return { ok: true, values: parsed.data as Record<string, string> };
  }
}
