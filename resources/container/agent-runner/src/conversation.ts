import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from './providers/types';

const FILE = 'conversation.json';

/**
 * The session's conversation, kept in its state folder so a later container (a resumed
 * session, a follow-up after the container exited) continues where the last one stopped.
 */
export async function loadConversation(
  dir: string,
): Promise<{ messages: Message[]; turns: number }> {
  try {
    const saved = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as {
      messages?: Message[];
      turns?: number;
    };
    const messages = Array.isArray(saved.messages) ? saved.messages : [];
    // A run stopped mid-turn may end on the user's side, or on a tool call without its result;
    // the next prompt must follow a complete answer.
    for (;;) {
      const last = messages[messages.length - 1];
      if (!last) break;
      const openToolCall =
        last.role === 'assistant' &&
        Array.isArray(last.content) &&
        last.content.some((b) => b.type === 'tool_use');
      if (last.role !== 'user' && !openToolCall) break;
      messages.pop();
    }
    return { messages, turns: typeof saved.turns === 'number' ? saved.turns : 0 };
  } catch {
    return { messages: [], turns: 0 };
  }
}

export async function saveConversation(
  dir: string,
  messages: Message[],
  turns: number,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${FILE}.tmp`);
  await writeFile(temp, JSON.stringify({ messages, turns }));
  await rename(temp, join(dir, FILE));
}
