import type { Group } from '../../../shared/schemas/groups';
import type { OutgoingMessage, TaskFile } from './ipc-messages';

export type Decision = { allowed: true } | { allowed: false; reason: string };

/**
 * Group-scoped IPC permissions. The main group may message any chat and manage any task;
 * another group may message only its own chats, and manage only its own tasks (answering in
 * its own chats); registering a group is main-only.
 */
export function authorizeMessage(sender: Group, message: OutgoingMessage): Decision {
  if (sender.isMain || sender.chatJids.includes(message.chatJid)) return { allowed: true };
  return {
    allowed: false,
    reason: `Group "${sender.name}" may only message its own chats (${sender.chatJids.join(', ') || 'none'}), not ${message.chatJid}.`,
  };
}

export function authorizeTask(sender: Group, task: TaskFile, owner: Group | null): Decision {
  if (sender.isMain) return { allowed: true };
  if (task.type === 'register_group')
    return {
      allowed: false,
      reason: `Only the main group may register groups; "${sender.name}" asked to.`,
    };
  if (task.group !== undefined && (owner === null || owner.id !== sender.id))
    return {
      allowed: false,
      reason: `Group "${sender.name}" may only manage its own tasks, not those of "${task.group}".`,
    };
  for (const jid of [task.chatJid, task.targetJid])
    if (typeof jid === 'string' && !sender.chatJids.includes(jid))
      return {
        allowed: false,
        reason: `Group "${sender.name}" may only run tasks in its own chats (${sender.chatJids.join(', ') || 'none'}), not ${jid}.`,
      };
  return { allowed: true };
}
