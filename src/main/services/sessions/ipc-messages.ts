import { z } from 'zod';

/** At most this many bytes per IPC file; a larger one goes to errors/. */
export const MAX_IPC_FILE_BYTES = 64 * 1024;

/** `ipc/messages/*.json`: text for a chat. Who sent it comes from the folder, never from here. */
export const outgoingMessageSchema = z.object({
  type: z.literal('message'),
  chatJid: z.string().trim().min(1).max(200),
  text: z.string().min(1).max(32_000),
});

export const TASK_TYPES = [
  'schedule_task',
  'pause_task',
  'resume_task',
  'cancel_task',
  'update_task',
  'register_group',
] as const;

/** `ipc/tasks/*.json`: scheduler and group operations; the rest of the body is the task's. */
export const taskFileSchema = z
  .object({
    type: z.enum(TASK_TYPES),
    /** A task operation names the group whose task it is (defaults to the sender's). */
    group: z.string().max(100).optional(),
    taskId: z.string().max(100).optional(),
    name: z.string().max(200).optional(),
    prompt: z.string().max(100_000).optional(),
    /** The chat a task answers in; another group's chat is main-only, like a message to it. */
    chatJid: z.string().trim().max(200).nullable().optional(),
    targetJid: z.string().trim().max(200).nullable().optional(),
  })
  .passthrough();

export type OutgoingMessage = z.infer<typeof outgoingMessageSchema>;
export type TaskFile = z.infer<typeof taskFileSchema>;

/** Where a file came from: decided by the folder it was found in, nothing else. */
export interface IpcOrigin {
  groupFolder: string;
  session: string;
  kind: 'messages' | 'tasks';
  /**
   * The file's own name (a stable short one when it is too long to claim): one file is handled
   * once. The transcript's message id is this for a message, `tasks/{name}` for a task.
   */
  name: string;
}
