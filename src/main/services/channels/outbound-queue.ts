import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChannelName } from '../../../shared/schemas/channels';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * Replies waiting to go out, kept on disk (DATA_DIR/channels/outbound.json) so nothing is lost
 * while a channel is down or the app restarts. An entry is added under the id of the IPC file
 * it came from, and that id is remembered after delivery: the hand-off from the IPC watcher is
 * idempotent, so a file seen again after a crash is never sent twice.
 */
export interface OutboundEntry {
  id: string;
  channel: ChannelName;
  jid: string;
  chatId: string;
  /** The reply, already split to the platform's limit; `sent` of them are out. */
  parts: string[];
  sent: number;
  attempts: number;
  /** Not before this time (a 429's retry_after, a backoff). */
  notBefore: number;
  createdAt: string;
  group: string;
  session: string;
}

interface QueueFile {
  entries: OutboundEntry[];
  /** Ids delivered lately, newest last: a re-handed-off file is recognised. */
  delivered: string[];
}

const REMEMBER_DELIVERED = 2000;

export class OutboundQueue {
  private data: QueueFile = { entries: [], delivered: [] };
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as Partial<QueueFile>;
      this.data = {
        entries: Array.isArray(parsed.entries) ? parsed.entries : [],
        delivered: Array.isArray(parsed.delivered) ? parsed.delivered : [],
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Adds an entry unless its id is queued or delivered already; resolves once on disk. */
  async add(entry: OutboundEntry): Promise<'added' | 'duplicate'> {
    if (this.data.entries.some((e) => e.id === entry.id) || this.data.delivered.includes(entry.id))
      return 'duplicate';
    this.data.entries.push(entry);
    await this.persist();
    return 'added';
  }

  /** The next entry of a channel that may go now: oldest first, in order per chat. */
  next(channel: ChannelName, now = Date.now()): OutboundEntry | null {
    const waitingChats = new Set<string>();
    for (const entry of this.data.entries) {
      if (entry.channel !== channel) continue;
      // A chat's later reply never overtakes an earlier one that is waiting out a retry.
      if (waitingChats.has(entry.jid)) continue;
      if (entry.notBefore <= now) return entry;
      waitingChats.add(entry.jid);
    }
    return null;
  }

  /** When the earliest waiting entry of a channel may go (for the drain timer). */
  nextDueAt(channel: ChannelName): number | null {
    const times = this.data.entries.filter((e) => e.channel === channel).map((e) => e.notBefore);
    return times.length ? Math.min(...times) : null;
  }

  depth(channel: ChannelName): number {
    return this.data.entries.filter((e) => e.channel === channel).length;
  }

  /** One part is out: recorded before the next is sent, so a restart resumes after it. */
  async partSent(id: string): Promise<void> {
    const entry = this.data.entries.find((e) => e.id === id);
    if (!entry) return;
    entry.sent++;
    entry.attempts = 0;
    if (entry.sent >= entry.parts.length) {
      this.data.entries = this.data.entries.filter((e) => e.id !== id);
      this.data.delivered = [...this.data.delivered, id].slice(-REMEMBER_DELIVERED);
    }
    await this.persist();
  }

  async retryLater(id: string, delayMs: number): Promise<void> {
    const entry = this.data.entries.find((e) => e.id === id);
    if (!entry) return;
    entry.attempts++;
    entry.notBefore = Date.now() + delayMs;
    await this.persist();
  }

  /** Given up on (the platform refused this message for good): out of the queue. */
  async drop(id: string): Promise<void> {
    this.data.entries = this.data.entries.filter((e) => e.id !== id);
    this.data.delivered = [...this.data.delivered, id].slice(-REMEMBER_DELIVERED);
    await this.persist();
  }

  private persist(): Promise<void> {
    const snapshot = JSON.stringify(this.data);
    this.writes = this.writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.path, snapshot, 0o600);
      });
    return this.writes;
  }
}
