import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const CLOSE_FILE = '_close';
export const JOB_FILE = 'job.json';

/**
 * Follow-up messages dropped into `ipc/input/` while the agent works. fs.watch for speed, a
 * poll as a fallback because bind mounts on some platforms deliver no events.
 */
export class Steering {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Scans run one after another; each caller waits for one that started after its call. */
  private scans: Promise<void> = Promise.resolve();
  private readonly queue: { name: string; text: string }[] = [];
  private readonly seen = new Set<string>();
  private wakers: (() => void)[] = [];
  closeRequested = false;

  constructor(
    private readonly dir: string,
    private readonly pollMs = 250,
  ) {}

  start(): void {
    try {
      // Waiters wake once the scan this event started has read the new file.
      this.watcher = watch(this.dir, () => void this.scan().then(() => this.wake()));
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = null; // polling alone still works
    }
    this.timer = setInterval(
      () => void this.scan().then(() => this.queue.length > 0 && this.wake()),
      this.pollMs,
    );
    void this.scan();
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private wake(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }

  /** Resolves on the next change in the folder, or after `ms` at the latest. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const wakers = this.wakers;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      wakers.push(done);
    });
  }

  /** New messages, oldest first; their files are deleted once taken. */
  async take(): Promise<string[]> {
    await this.scan();
    const items = this.queue.splice(0);
    await Promise.all(items.map((i) => rm(join(this.dir, i.name), { force: true })));
    // The host may reuse a name later; a deleted file is a new message when it reappears.
    for (const i of items) this.seen.delete(i.name);
    return items.map((i) => i.text);
  }

  scan(): Promise<void> {
    const next = this.scans.then(() => this.scanOnce());
    this.scans = next.catch(() => undefined);
    return next;
  }

  private async scanOnce(): Promise<void> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).sort();
    for (const name of names) {
      if (name === CLOSE_FILE) this.closeRequested = true;
      if (name === CLOSE_FILE || name === JOB_FILE || name.startsWith('.') || this.seen.has(name))
        continue;
      const path = join(this.dir, name);
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text === null) continue;
      // The host renames finished JSON into place; anything else may still be being written,
      // so it waits until it has been still for a moment.
      if (
        !isJson(text) &&
        Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? 0) < SETTLE_MS
      )
        continue;
      this.seen.add(name);
      this.queue.push({ name, text: messageText(text) });
    }
  }
}

const SETTLE_MS = 300;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A steering file is `{text}` / `{type: "message", text}` JSON, or plain text. */
function messageText(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as { text?: unknown; content?: unknown };
    if (typeof parsed.text === 'string') return parsed.text;
    if (typeof parsed.content === 'string') return parsed.content;
  } catch {
    // plain text
  }
  return raw.trim();
}
