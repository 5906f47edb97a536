import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  channelNameSchema,
  telegramCredentialsSchema,
  whatsappCredentialsSchema,
  type BotIdentity,
  type ChannelName,
  type ChannelSettings,
  type ChannelStatus,
  type ValidationResult,
} from '../../../shared/schemas/channels';
import type { Group } from '../../../shared/schemas/groups';
import type { RunRecord, Session, SessionDetail } from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { SecretStore } from '../secrets/secret-store';
import { ChannelError, type Channel, type InboundMessage } from './channel';
import { ChatsSeen } from './chats-seen';
import { chatReplyForRun } from './final-answer';
import { ConnectionMachine, type BackoffPolicy } from './connection';
import { Delivery } from './delivery';
import { InboundRouter } from './inbound-router';
import { jidOf } from './jid';
import { OutboundQueue } from './outbound-queue';
import { TypingIndicators } from './typing';
import { WhatsAppWebhook, type WebhookRequest } from './whatsapp/webhook-endpoint';

export { WHATSAPP_WEBHOOK_PATH } from './whatsapp/webhook-endpoint';
import { WHATSAPP_WEBHOOK_PATH } from './whatsapp/webhook-endpoint';

export interface ChannelServiceDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  secrets: SecretStore;
  channels: Channel[];
  settings: () => ChannelSettings;
  saveSettings: (patch: (s: ChannelSettings) => ChannelSettings) => Promise<ChannelSettings>;
  groups: () => Group[];
  sessions: {
    list(): Session[];
    create(input: {
      group: string;
      prompt: string;
      trigger: 'channel';
      chatJid: string;
    }): Promise<Session>;
    message(id: string, text: string): Promise<unknown>;
    get(id: string): Promise<SessionDetail>;
  };
  backoff?: BackoffPolicy;
}

/** The credentials each channel needs, validated, and where each is kept in the secret store. */
const CREDENTIALS = { telegram: telegramCredentialsSchema, whatsapp: whatsappCredentialsSchema };
const SECRET_FIELDS: Record<ChannelName, string[]> = {
  telegram: ['botToken'],
  whatsapp: ['accessToken', 'appSecret', 'verifyToken'],
};
const secretId = (name: ChannelName, field: string) => `channel.${name}.${field}`;
const ACTIVE = new Set<Session['state']>(['queued', 'starting', 'running', 'idle']);

interface Live {
  channel: Channel;
  machine: ConnectionMachine;
  identity: BotIdentity | null;
  messagesIn: number;
  messagesOut: number;
  blockedSenders: number;
  seenIds: Set<string>;
  lastRefusal: ChannelStatus['lastRefusal'];
}

/**
 * The channel core: each platform's connection (state machine, backoff, fail-fast on a bad
 * token), its credentials in the secret store, inbound messages routed to agent groups, and
 * replies delivered through the persisted outbound queue. Platforms plug in as `Channel`s.
 */
export class ChannelService {
  private readonly live = new Map<ChannelName, Live>();
  private readonly queue: OutboundQueue;
  private readonly chats: ChatsSeen;
  readonly delivery: Delivery;
  private readonly inbound: InboundRouter;
  private readonly typing: TypingIndicators;
  private readonly webhook: WhatsAppWebhook;
  private offRuns: (() => void) | null = null;

  constructor(private readonly deps: ChannelServiceDeps) {
    this.queue = new OutboundQueue(join(deps.dataDir, 'channels', 'outbound.json'));
    this.chats = new ChatsSeen(join(deps.dataDir, 'channels', 'chats.json'));
    for (const channel of deps.channels) {
      const entry: Live = {
        channel,
        identity: null,
        messagesIn: 0,
        messagesOut: 0,
        blockedSenders: 0,
        seenIds: new Set(),
        lastRefusal: null,
        machine: new ConnectionMachine(
          () => this.connectOnce(channel.name),
          (snapshot) => this.stateChanged(channel.name, snapshot.state),
          deps.backoff,
        ),
      };
      this.live.set(channel.name, entry);
    }
    this.delivery = new Delivery({
      queue: this.queue,
      channel: (name) => this.live.get(name)?.channel ?? null,
      isOn: (name) => this.isOn(name),
      isConnected: (name) => this.live.get(name)?.machine.current.state === 'connected',
      lost: (name, error) => this.live.get(name)?.machine.lost(error),
      sent: (name) => {
        const entry = this.live.get(name);
        if (entry) entry.messagesOut++;
      },
      refused: (name, jid, error, session) => {
        const entry = this.live.get(name);
        if (entry)
          entry.lastRefusal = {
            jid,
            message: error.message,
            fix: error.fix,
            at: new Date().toISOString(),
          };
        this.deps.audit.record({
          severity: 'warning',
          category: 'channel',
          message: `${name} refused a reply to ${jid}: ${error.message}`,
          details: { channel: name, jid, session, fix: error.fix },
        });
      },
      changed: (name) => this.emit(name),
    });
    this.inbound = new InboundRouter({
      groups: deps.groups,
      settings: deps.settings,
      activeSession: (jid) =>
        deps.sessions.list().find((s) => s.chatJid === jid && ACTIVE.has(s.state)) ?? null,
      startSession: (input) => deps.sessions.create({ ...input, trigger: 'channel' }),
      steer: (id, text) => deps.sessions.message(id, text),
    });
    this.typing = new TypingIndicators(deps.bus, (jid) => this.typingFor(jid));
    this.webhook = new WhatsAppWebhook({
      credentials: () =>
        this.deps.settings().whatsapp.enabled ? this.credentials('whatsapp') : null,
      audit: deps.audit,
      verifiedAt: () => this.deps.settings().whatsapp.webhookVerifiedAt,
      markVerified: async () => {
        await this.deps.saveSettings((s) => ({
          ...s,
          whatsapp: { ...s.whatsapp, webhookVerifiedAt: new Date().toISOString() },
        }));
      },
      receive: (message) => void this.onMessage('whatsapp', message),
      changed: () => this.emit('whatsapp'),
    });
  }

  async start(): Promise<void> {
    await this.queue.load();
    await this.chats.load();
    this.typing.start();
    this.offRuns = this.deps.bus.on('runs.appended', (run) => void this.runEnded(run));
    for (const [name, entry] of this.live) if (this.isOn(name)) void entry.machine.start();
  }

  async stop(): Promise<void> {
    this.offRuns?.();
    this.typing.stop();
    this.delivery.stop();
    for (const entry of this.live.values()) {
      entry.machine.stop();
      await entry.channel.disconnect().catch(() => undefined);
    }
    await this.chats.stop();
  }

  list(): ChannelStatus[] {
    return [...this.live.keys()].map((name) => this.status(name));
  }

  status(name: ChannelName): ChannelStatus {
    const entry = this.require(name);
    const m = entry.machine.current;
    const groups = this.deps.groups();
    return {
      name,
      enabled: this.deps.settings()[name].enabled,
      configured: this.configured(name),
      state: m.state,
      connectedAt: m.connectedAt,
      lastError: m.lastError,
      attempt: m.attempt,
      nextRetryAt: m.nextRetryAt,
      botIdentity: entry.identity,
      chats: this.chats.of(name).map(({ channel: _channel, ...chat }) => ({
        ...chat,
        group: groups.find((g) => g.chatJids.includes(chat.jid))?.name ?? null,
      })),
      messagesIn: entry.messagesIn,
      messagesOut: entry.messagesOut,
      blockedSenders: entry.blockedSenders,
      queueDepth: this.queue.depth(name),
      lastRefusal: entry.lastRefusal,
      webhook:
        name === 'whatsapp'
          ? {
              path: WHATSAPP_WEBHOOK_PATH,
              verified: this.deps.settings().whatsapp.webhookVerifiedAt !== null,
              signatureFailures: this.webhook.signatureFailures,
            }
          : null,
    };
  }

  /** Meta's webhook for WhatsApp (served by the local API; see WhatsAppWebhook). */
  whatsappWebhook(req: WebhookRequest): Promise<{ status: number; body: string }> {
    return this.webhook.handle(req);
  }

  /** Saves credentials (write-only) and the on/off switch, then connects or disconnects. */
  async configure(input: {
    name: ChannelName;
    enabled?: boolean | undefined;
    credentials?: Record<string, string> | undefined;
  }): Promise<ChannelStatus> {
    const name = channelNameSchema.parse(input.name);
    if (input.credentials) {
      const parsed = CREDENTIALS[name].safeParse(input.credentials);
      if (!parsed.success)
        throw new AppError(
          'INVALID_INPUT',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          {
            issues: parsed.error.issues.map((i) => ({
              path: i.path.join('.'),
              message: i.message,
            })),
          },
        );
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
    if (input.enabled !== undefined)
      await this.deps.saveSettings((s) => ({
        ...s,
        [name]: { ...s[name], enabled: input.enabled },
      }));
    const entry = this.require(name);
    if (this.isOn(name)) await entry.machine.start();
    else {
      entry.machine.stop();
      await entry.channel.disconnect();
    }
    return this.status(name);
  }

  async validate(
    name: ChannelName,
    credentials?: Record<string, string>,
  ): Promise<ValidationResult> {
    const entry = this.require(name);
    const creds = credentials ?? this.credentials(name);
    if (!creds)
      return {
        ok: false,
        identity: null,
        message: `No ${name} credentials are saved yet.`,
        fix: [`Enter them under Settings > Channels > ${title(name)}, then Validate`],
      };
    const parsed = CREDENTIALS[name].safeParse(creds);
    if (!parsed.success)
      return {
        ok: false,
        identity: null,
        message: parsed.error.issues.map((i) => i.message).join('; '),
        fix: [`Check the values under Settings > Channels > ${title(name)}`],
      };
    return entry.channel.validate(parsed.data as Record<string, string>);
  }

  /** Connect (again) now, or stop: the on/off switch is saved as well. */
  connect(name: ChannelName): Promise<ChannelStatus> {
    if (!this.configured(name))
      throw new AppError(
        'CONFLICT',
        `${title(name)} has no credentials yet: enter them under Settings > Channels > ${title(name)} first.`,
      );
    return this.configure({ name, enabled: true });
  }

  disconnect(name: ChannelName): Promise<ChannelStatus> {
    return this.configure({ name, enabled: false });
  }

  /** For a platform's webhook (WhatsApp): messages it received, into the same path as polling. */
  receive(name: ChannelName, message: InboundMessage): void {
    void this.onMessage(name, message);
  }

  private async connectOnce(name: ChannelName): Promise<void> {
    const entry = this.require(name);
    const creds = this.credentials(name);
    if (!creds) throw new ChannelError('auth', `${title(name)} has no credentials.`);
    entry.identity = await entry.channel.connect(creds, {
      onMessage: (message) => void this.onMessage(name, message),
      onLost: (error) => entry.machine.lost(error),
    });
  }

  private async onMessage(name: ChannelName, message: InboundMessage): Promise<void> {
    const entry = this.require(name);
    // Platforms redeliver (Meta retries a webhook not answered fast enough): seen once.
    if (entry.seenIds.has(message.messageId)) return;
    entry.seenIds.add(message.messageId);
    if (entry.seenIds.size > 5000) entry.seenIds.delete(entry.seenIds.values().next().value!);
    entry.messagesIn++;
    const jid = jidOf(name, message.chatId);
    this.chats.seen({
      channel: name,
      jid,
      title: message.chatTitle,
      kind: message.chatKind,
      lastMessageAt: message.at,
    });
    try {
      const outcome = await this.inbound.route(name, message);
      if (outcome.action === 'blocked') {
        entry.blockedSenders++;
        this.deps.audit.record({
          severity: 'warning',
          category: 'channel',
          group: outcome.group,
          message: `Dropped a ${name} message from ${message.senderName} in ${jid}: the sender is not on group "${outcome.group}"'s allowlist`,
          details: { channel: name, jid, sender: message.senderId },
          coalesceKey: `channel-blocked:${jid}:${message.senderId}`,
        });
      }
      this.deps.logger.debug({ channel: name, jid, outcome: outcome.action }, 'Inbound message');
    } catch (error) {
      this.deps.logger.warn(
        { err: error, channel: name, jid },
        'Could not hand a message to an agent',
      );
    }
    this.emit(name);
  }

  /** A run for a chat ended: its plain-text answer (or its failure) goes to the chat. */
  private async runEnded(run: RunRecord): Promise<void> {
    try {
      const session = await this.deps.sessions.get(run.session);
      if (!session.chatJid) return;
      const reply = chatReplyForRun(run, session.transcript, session.chatJid);
      const group = this.deps.groups().find((g) => g.id === session.group);
      if (!reply || !group) return;
      await this.delivery.deliver({
        id: `run-${run.id}`,
        group,
        session: session.id,
        chatJid: session.chatJid,
        text: reply,
      });
    } catch (error) {
      this.deps.logger.warn(
        { err: error, run: run.id },
        "Could not send a run's answer to its chat",
      );
    }
  }

  private stateChanged(name: ChannelName, state: string): void {
    if (state === 'connected') this.delivery.kick(name);
    const m = this.live.get(name)?.machine.current;
    if (m && (state === 'failed' || (state === 'reconnecting' && m.attempt === 1)))
      this.deps.audit.record({
        severity: 'warning',
        category: 'channel',
        message: `${title(name)} ${state === 'failed' ? 'stopped: ' : 'lost its connection: '}${m.lastError ?? 'unknown cause'}`,
        details: { channel: name, state },
        coalesceKey: `channel-state:${name}:${state}`,
      });
    this.emit(name);
  }

  private typingFor(jid: string): Channel | null {
    const name = [...this.live.keys()].find((n) => jid.startsWith(`${jidOf(n, '')}`));
    if (!name || this.live.get(name)!.machine.current.state !== 'connected') return null;
    return this.live.get(name)!.channel;
  }

  private emit(name: ChannelName): void {
    this.deps.bus.emit('channel.updated', this.status(name));
  }

  private isOn(name: ChannelName): boolean {
    return this.deps.settings()[name].enabled && this.configured(name);
  }

  private configured(name: ChannelName): boolean {
    return this.credentials(name) !== null;
  }

  private credentials(name: ChannelName): Record<string, string> | null {
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

  private require(name: ChannelName): Live {
    const entry = this.live.get(name);
    if (!entry) throw new AppError('NOT_FOUND', `No channel named "${name}".`);
    return entry;
  }
}

function title(name: ChannelName): string {
  return name === 'whatsapp' ? 'WhatsApp' : 'Telegram';
}
