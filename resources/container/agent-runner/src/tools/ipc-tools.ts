import { writeIpcFile } from '../ipc';
import { str, ToolError, type Tool } from './types';

export const sendMessageTool: Tool = {
  name: 'send_message',
  description:
    "Send a message to the user's chat (Telegram, Slack, Discord or WhatsApp). Defaults to the chat this job came from.",
  inputSchema: {
    type: 'object',
    properties: { text: { type: 'string' }, chatJid: { type: 'string' } },
    required: ['text'],
  },
  async run(input, ctx) {
    const chatJid = str(input, 'chatJid', false) || ctx.job.chatJid;
    if (!chatJid) throw new ToolError('No chat to send to: this job has no chatJid; pass one.');
    const text = str(input, 'text');
    const file = await writeIpcFile(ctx.paths.messages, {
      type: 'message',
      chatJid,
      text,
      sessionId: ctx.job.sessionId,
      group: ctx.job.group,
    });
    return `Queued for delivery to ${chatJid} (${file}).`;
  },
};

export const scheduleTaskTool: Tool = {
  name: 'schedule_task',
  description:
    'Schedule a prompt to run later: cron (5 fields, local time), interval (milliseconds) or once (ISO timestamp).',
  inputSchema: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      prompt: { type: 'string' },
      scheduleType: { type: 'string', enum: ['cron', 'interval', 'once'] },
      scheduleValue: { type: 'string' },
      contextMode: { type: 'string', enum: ['group', 'isolated'] },
    },
    required: ['prompt', 'scheduleType', 'scheduleValue'],
  },
  async run(input, ctx) {
    const type = str(input, 'scheduleType');
    if (!['cron', 'interval', 'once'].includes(type))
      throw new ToolError('scheduleType must be cron, interval or once');
    const task = {
      type: 'schedule_task',
      name: str(input, 'name', false) || str(input, 'prompt').slice(0, 60),
      prompt: str(input, 'prompt'),
      schedule: { type, value: str(input, 'scheduleValue') },
      contextMode: str(input, 'contextMode', false) || 'group',
      group: ctx.job.group,
      chatJid: ctx.job.chatJid ?? null,
      sessionId: ctx.job.sessionId,
    };
    const file = await writeIpcFile(ctx.paths.tasks, task);
    return `Task "${task.name}" sent to the scheduler (${file}).`;
  },
};
