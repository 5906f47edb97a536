import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Handlers } from '../dispatch';
import type { ChannelOperationName } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import {
  channelSettingsSchema,
  JID_PREFIX,
  type ChannelSettings,
} from '../../shared/schemas/channels';
import type { WarningCenter } from '../services/app/warnings';
import type { AuditLog } from '../services/audit/audit-log';
import type { Channel } from '../services/channels/channel';
import { ChannelService, WHATSAPP_WEBHOOK_PATH } from '../services/channels/channel-service';
import { parseJid } from '../services/channels/jid';
import { WhatsAppChannel } from '../services/channels/whatsapp/whatsapp-channel';
import { SlackChannel } from '../services/channels/slack/slack-channel';
import { DiscordChannel } from '../services/channels/discord/discord-channel';
import type { WebhookRoute } from '../services/app/webhook-route';
import { channelProblems } from '../services/channels/channel-problems';
import type { Diagnostic } from '../../shared/schemas/diagnostics';
import {
  TELEGRAM_WEBHOOK_PATH,
  TelegramChannel,
} from '../services/channels/telegram/telegram-channel';
import type { EventBus } from '../services/events/event-bus';
import type { SecretStore } from '../services/secrets/secret-store';
import { JsonStore } from '../services/store/json-store';
import type { SessionsDomain } from './sessions-domain';
import type { ChannelEndpoints } from './channel-endpoints';
import { CHANNEL_WEBHOOK_PATHS, type ChannelWebhookPath } from '../services/channels/webhook-paths';

export interface ChannelsDomainDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  secrets: SecretStore;
  agents: SessionsDomain;
  endpoints?: ChannelEndpoints;
}

export interface ChannelsDomain {
  channels: ChannelService;
  /** Routes the local API serves to the platforms themselves (WhatsApp's webhook). */
  webhooks: WebhookRoute[];
  /** The guide's channel problems, for Health and `aigo doctor`. */
  diagnostics(): Diagnostic[];
  handlers: Pick<Handlers, ChannelOperationName>;
  stop(): Promise<void>;
}

/** Chat channels: each platform's connection, routed to the sessions domain's groups and agents. */
export async function startChannelsDomain(deps: ChannelsDomainDeps): Promise<ChannelsDomain> {
  const logger = deps.logger.child({ scope: 'channels' });
  const store = new JsonStore({
    path: join(deps.dataDir, 'channels.json'),
    schema: channelSettingsSchema,
    defaults: () => channelSettingsSchema.parse({}),
    label: 'The channel settings',
    warningCode: 'CHANNELS_CORRUPT',
    logger,
    warnings: deps.warnings,
  });
  await store.load();
  let writes: Promise<unknown> = Promise.resolve();
  const save = (patch: (s: ChannelSettings) => ChannelSettings) => {
    const next = writes.catch(() => undefined).then(() => store.replace(patch(store.get())));
    writes = next;
    return next;
  };
  const { groups, sessions } = deps.agents;
  const platforms: Channel[] = [
    new TelegramChannel({
      ...(deps.endpoints?.telegramApiRoot ? { apiRoot: deps.endpoints.telegramApiRoot } : {}),
      mode: () => {
        const { mode, publicUrl } = store.get().telegram;
        return { mode, publicUrl };
      },
    }),
    new WhatsAppChannel(
      deps.endpoints?.graphApiRoot ? { graphApiRoot: deps.endpoints.graphApiRoot } : {},
    ),
    new SlackChannel(deps.endpoints?.slackApiUrl ? { apiUrl: deps.endpoints.slackApiUrl } : {}),
    new DiscordChannel(
      deps.endpoints?.discordApiRoot ? { apiRoot: deps.endpoints.discordApiRoot } : {},
    ),
  ];
  const channels = new ChannelService({
    dataDir: deps.dataDir,
    bus: deps.bus,
    audit: deps.audit,
    logger,
    secrets: deps.secrets,
    channels: platforms,
    settings: () => store.get(),
    saveSettings: save,
    groups: () => groups.list(),
    sessions: {
      list: () => sessions.list({ limit: 500 }),
      create: (input) => sessions.create(input),
      message: (id, text) => sessions.message(id, text),
      get: (id) => sessions.get(id),
    },
  });
  await channels.start();
  deps.agents.setMessageRouter(channels.delivery);

  const routing = () => {
    const s = store.get();
    return { unmappedChats: s.unmappedChats, contextMessages: s.contextMessages };
  };
  const telegramMode = () => {
    const { mode, publicUrl } = store.get().telegram;
    return { mode, publicUrl };
  };
  const handlers: Pick<Handlers, ChannelOperationName> = {
    'channels.list': () => ({
      channels: channels.list(),
      ...routing(),
      telegramMode: telegramMode(),
    }),
    'channels.get': ({ name }) => channels.status(name),
    'channels.configure': (input) => channels.configure(input),
    'channels.validate': ({ name, credentials }) => channels.validate(name, credentials),
    'channels.connect': ({ name }) => channels.connect(name),
    'channels.disconnect': ({ name }) => channels.disconnect(name),
    'channels.mapChat': async ({ name, jid, group }) => {
      const prefix = `${JID_PREFIX[name]}:`;
      if (parseJid(jid)?.channel !== name)
        throw new AppError(
          'INVALID_INPUT',
          `${jid} is not a ${name} chat (its JID starts with ${prefix}).`,
        );
      // A chat belongs to one group: off the one that has it, onto the chosen one.
      for (const g of groups.list())
        if (g.chatJids.includes(jid) && g.id !== group && g.name !== group)
          await groups.update({ id: g.id, chatJids: g.chatJids.filter((j) => j !== jid) });
      if (group) {
        const target = groups.get(group);
        if (!target.chatJids.includes(jid))
          await groups.update({ id: target.id, chatJids: [...target.chatJids, jid] });
      }
      return channels.status(name);
    },
    'channels.telegramMode': async ({ mode, publicUrl }) => {
      if (mode === 'webhook' && !publicUrl)
        throw new AppError(
          'INVALID_INPUT',
          "Webhook mode needs your tunnel's public https:// address (e.g. https://abc.trycloudflare.com).",
          { issues: [{ path: 'publicUrl', message: 'required for webhook mode' }] },
        );
      await save((s) => ({ ...s, telegram: { ...s.telegram, mode, publicUrl } }));
      // Connected already: reconnect in the new mode.
      return channels.configure({ name: 'telegram' });
    },
    'channels.routing': async (patch) => {
      await save((s) => ({
        ...s,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      }));
      return routing();
    },
  };
  const webhooks: Record<ChannelWebhookPath, WebhookRoute['handle']> = {
    [WHATSAPP_WEBHOOK_PATH]: (req) => channels.whatsappWebhook(req),
    [TELEGRAM_WEBHOOK_PATH]: (req) => channels.telegramWebhook(req),
  };
  return {
    channels,
    handlers,
    webhooks: CHANNEL_WEBHOOK_PATHS.map((path) => ({ path, handle: webhooks[path] })),
    diagnostics: () => channelProblems(channels.list(), store.get()),
    stop: () => channels.stop(),
  };
}
