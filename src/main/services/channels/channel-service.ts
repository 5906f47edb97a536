import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  channelNameSchema,
  type BotIdentity,
  type ChannelName,
  type ChannelSettings,
  type ChannelStatus,
  type ValidationResult,
} from '../../../shared/schemas/channels';
import type { Group } from '../../../shared/schemas/groups';
import type { Session, SessionDetail } from '../../../shared/schemas/sessions';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { SecretStore } from '../secrets/secret-store';
import { ChannelError, type Channel, type InboundMessage } from './channel';
import { ChannelCredentials, channelTitle } from './channel-credentials';
import { ChatsSeen } from './chats-seen';
import { answerRunInChat } from './final-answer';
import { ConnectionMachine, type BackoffPolicy } from './connection';
import { Delivery } from './delivery';
import { InboundRouter } from './inbound-router';
import { jidOf, parseJid } from './jid';
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
  private readonly creds: ChannelCredentials;

  constructor(private readonly deps: ChannelServiceDeps) {
    this.creds = new ChannelCredentials(deps);
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
        this.deps.settings().whatsapp.enabled ? this.creds.get('whatsapp') : null,
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
    this.offRuns = this.deps.bus.on(
      'runs.appended',
      (run) =>
        void answerRunInChat(run, {
          session: (id) => this.deps.sessions.get(id),
          groups: this.deps.groups,
          delivery: this.delivery,
        }).catch((error: unknown) =>
          this.deps.logger.warn(
            { err: error, run: run.id },
            "Could not send a run's answer to its chat",
          ),
        ),
    );
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

  /** Telegram's webhook mode: a delivery through the user's tunnel, checked by its secret. */
  async telegramWebhook(req: WebhookRequest): Promise<{ status: number; body: string }> {
    const channel = this.require('telegram').channel as Channel & {
      handleWebhook?: (r: WebhookRequest) => Promise<{ status: number; body: string }>;
    };
    if (req.method !== 'POST' || !channel.handleWebhook) return { status: 405, body: 'POST only.' };
    const answer = await channel.handleWebhook(req);
    if (answer.status === 403)
      this.deps.audit.record({
        severity: 'violation',
        category: 'channel',
        message: 'Refused a Telegram webhook post: wrong or missing secret token',
        details: { channel: 'telegram', bytes: req.body.length },
        coalesceKey: 'telegram-webhook-secret',
      });
    return answer;
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
    if (input.credentials) await this.creds.save(name, input.credentials);
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
    const input = this.creds.forValidation(name, credentials);
    return input.ok ? entry.channel.validate(input.values) : input.result;
  }

  /** Connect (again) now, or stop: the on/off switch is saved as well. */
  connect(name: ChannelName): Promise<ChannelStatus> {
    if (!this.configured(name))
      throw new AppError(
        'CONFLICT',
        `${channelTitle(name)} has no credentials yet: enter them under Settings > Channels > ${channelTitle(name)} first.`,
      );
    return this.configure({ name, enabled: true });
  }

  disconnect(name: ChannelName): Promise<ChannelStatus> {
    return this.configure({ name, enabled: false });
  }

  private async connectOnce(name: ChannelName): Promise<void> {
    const entry = this.require(name);
    const creds = this.creds.get(name);
    if (!creds) throw new ChannelError('auth', `${channelTitle(name)} has no credentials.`);
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

  private stateChanged(name: ChannelName, state: string): void {
    if (state === 'connected') this.delivery.kick(name);
    const m = this.live.get(name)?.machine.current;
    if (m && (state === 'failed' || (state === 'reconnecting' && m.attempt === 1)))
      this.deps.audit.record({
        severity: 'warning',
        category: 'channel',
        message: `${channelTitle(name)} ${state === 'failed' ? 'stopped: ' : 'lost its connection: '}${m.lastError ?? 'unknown cause'}`,
        details: { channel: name, state },
        coalesceKey: `channel-state:${name}:${state}`,
      });
    this.emit(name);
  }

  private typingFor(jid: string): Channel | null {
    const target = parseJid(jid);
    const entry = target ? this.live.get(target.channel) : undefined;
    return entry?.machine.current.state === 'connected' ? entry.channel : null;
  }

  private emit(name: ChannelName): void {
    this.deps.bus.emit('channel.updated', this.status(name));
  }

  private isOn(name: ChannelName): boolean {
    return this.deps.settings()[name].enabled && this.configured(name);
  }

  private configured(name: ChannelName): boolean {
    return this.creds.get(name) !== null;
  }

  private require(name: ChannelName): Live {
    const entry = this.live.get(name);
    if (!entry) throw new AppError('NOT_FOUND', `No channel named "${name}".`);
    return entry;
  }
}
