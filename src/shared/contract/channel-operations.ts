import { z } from 'zod';
import { defineOperation } from './define';
import {
  channelNameSchema,
  channelStatusSchema,
  configureChannelSchema,
  routingSettingsSchema,
  telegramModeSchema,
  validateChannelSchema,
  validationResultSchema,
} from '../schemas/channels';

const byName = z.object({ name: channelNameSchema });

/** Chat channels: status, credentials, validation, connection, and mapping chats to groups. */
export const channelOperations = {
  'channels.list': defineOperation({
    method: 'GET',
    path: '/api/v1/channels',
    tag: 'channels',
    summary: 'Every chat channel with its connection state, counters, chats seen and queue depth',
    input: z.object({}),
    output: z.object({
      channels: z.array(channelStatusSchema),
      unmappedChats: z.enum(['ignore', 'default_group']),
      contextMessages: z.number(),
      telegramMode: telegramModeSchema,
    }),
  }),
  'channels.get': defineOperation({
    method: 'GET',
    path: '/api/v1/channels/{name}',
    tag: 'channels',
    summary: "One channel's connection status (the guide's `curl …/api/v1/channels/telegram`)",
    input: byName,
    output: channelStatusSchema,
  }),
  'channels.configure': defineOperation({
    method: 'PATCH',
    path: '/api/v1/channels/{name}',
    tag: 'channels',
    summary:
      'Save credentials (write-only: Telegram {botToken}; WhatsApp {phoneNumberId, accessToken, appSecret, verifyToken}) and/or turn the channel on or off',
    input: configureChannelSchema,
    output: channelStatusSchema,
  }),
  'channels.validate': defineOperation({
    method: 'POST',
    path: '/api/v1/channels/{name}/validate',
    tag: 'channels',
    summary:
      'Check credentials with the platform (the given ones, else the saved ones): "Validate Token"',
    input: validateChannelSchema,
    output: validationResultSchema,
  }),
  'channels.connect': defineOperation({
    method: 'POST',
    path: '/api/v1/channels/{name}/connect',
    tag: 'channels',
    summary: 'Turn the channel on and connect now',
    input: byName,
    output: channelStatusSchema,
  }),
  'channels.disconnect': defineOperation({
    method: 'POST',
    path: '/api/v1/channels/{name}/disconnect',
    tag: 'channels',
    summary: 'Disconnect and turn the channel off (queued replies are kept)',
    input: byName,
    output: channelStatusSchema,
  }),
  'channels.mapChat': defineOperation({
    method: 'POST',
    path: '/api/v1/channels/{name}/chats',
    tag: 'channels',
    summary: "Map a chat (its JID) to a group: the group's agent answers it. group null unmaps it",
    input: byName.extend({
      jid: z.string().min(3).max(200),
      group: z.string().min(1).max(100).nullable(),
    }),
    output: channelStatusSchema,
  }),
  'channels.telegramMode': defineOperation({
    method: 'PATCH',
    path: '/api/v1/channels/telegram/mode',
    tag: 'channels',
    summary:
      "Telegram's delivery: long polling (default), or a webhook at your tunnel's public https:// address + /api/v1/channels/telegram/webhook",
    input: telegramModeSchema,
    output: channelStatusSchema,
  }),
  'channels.routing': defineOperation({
    method: 'PATCH',
    path: '/api/v1/channels',
    tag: 'channels',
    summary:
      'Where chats no group lists go (ignore, or the main group), and how much chat context agents get',
    input: routingSettingsSchema,
    output: z.object({
      unmappedChats: z.enum(['ignore', 'default_group']),
      contextMessages: z.number(),
    }),
  }),
} as const;

export type ChannelOperationName = keyof typeof channelOperations;
