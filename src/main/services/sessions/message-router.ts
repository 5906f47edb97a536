import type { Group } from '../../../shared/schemas/groups';

export interface RoutedMessage {
  /** The IPC file name: a router sees the same id again only after a crash, and must not resend. */
  id: string;
  group: Group;
  session: string;
  chatJid: string;
  text: string;
}

export interface RouteResult {
  status: 'delivered' | 'kept';
  detail: string | null;
}

/**
 * Where authorized outgoing messages go. The chat channels plug in here; a channel that is
 * down throws, and the IPC watcher retries with backoff. Until a channel for the chat exists,
 * a message is kept in the session's transcript, where the user sees it.
 */
export interface MessageRouter {
  deliver(message: RoutedMessage): Promise<RouteResult>;
}

export interface RoutedTask {
  id: string;
  group: Group;
  session: string;
  task: Record<string, unknown> & { type: string };
}

/** Where authorized task operations go; the scheduler plugs in here. */
export interface TaskRouter {
  handle(task: RoutedTask): Promise<RouteResult>;
}

/** No channel yet: messages stay in the transcript. */
export const keepingRouter: MessageRouter = {
  deliver: async (message) => ({
    status: 'kept',
    detail: `No channel is connected for ${message.chatJid}: the message is kept in this session.`,
  }),
};

export const keepingTaskRouter: TaskRouter = {
  handle: async (task) => ({
    status: 'kept',
    detail: `"${task.task.type}" is kept in this session; the scheduler will run such tasks.`,
  }),
};
