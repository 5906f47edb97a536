import { newestFirst } from '../../../shared/newest-first';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChannelChat, ChannelName } from '../../../shared/schemas/channels';
import { writeFileAtomic } from '../fs/atomic-write';

type SeenChat = Omit<ChannelChat, 'group'> & { channel: ChannelName };

const MAX_CHATS = 500;
const SAVE_DELAY_MS = 1000;

/**
 * The chats each channel has seen (title, kind, last message time), so Settings can offer
 * "map to group" for a chat that wrote in. Kept in DATA_DIR/channels/chats.json, saved a
 * moment after a change (a busy chat is one write a second, not one per message).
 */
export class ChatsSeen {
  private chats = new Map<string, SeenChat>();
  private timer: NodeJS.Timeout | null = null;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async load(): Promise<void> {
    try {
      const list = JSON.parse(await readFile(this.path, 'utf8')) as SeenChat[];
      if (Array.isArray(list)) for (const chat of list) this.chats.set(chat.jid, chat);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  seen(chat: SeenChat): void {
    this.chats.delete(chat.jid);
    this.chats.set(chat.jid, chat);
    // Oldest out first: a Map keeps insertion order, and a chat seen again moved to the end.
    while (this.chats.size > MAX_CHATS) this.chats.delete(this.chats.keys().next().value!);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  of(channel: ChannelName): SeenChat[] {
    return [...this.chats.values()]
      .filter((c) => c.channel === channel)
      .sort(newestFirst('lastMessageAt'));
  }

  has(jid: string): boolean {
    return this.chats.has(jid);
  }

  /** Writes what is pending and stops the save timer. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      await this.save();
    }
    await this.writes;
  }

  private save(): Promise<void> {
    const snapshot = JSON.stringify([...this.chats.values()]);
    this.writes = this.writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.path, snapshot, 0o600);
      });
    return this.writes;
  }
}
