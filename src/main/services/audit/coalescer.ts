import type { Severity } from '../../../shared/schemas/audit';
import { MAX_MESSAGE_CHARS, MAX_NAME_CHARS, truncateText } from './entry-limits';

/** What a summary needs from the repeats it stands for (already redacted and capped). */
export interface CoalesceSample {
  severity: Severity;
  category: string;
  message: string;
  group?: string;
  container?: string;
  details: Record<string, unknown>;
}

export interface CoalescerOptions {
  /** How long one key's repeats are counted before a summary is written. */
  windowMs: number;
  /** Distinct keys tracked at once; past it, new keys share one overflow key per category. */
  maxKeys: number;
  now: () => number;
  write(summary: CoalesceSample): void;
}

interface Tracked {
  /** Repeats counted (not written) in the current window. */
  count: number;
  firstMs: number;
  lastMs: number;
  /** The first repeat of the window: its message and details stand for the rest. */
  sample: CoalesceSample | null;
  timer: NodeJS.Timeout;
  overflow: boolean;
}

/**
 * Turns floods of events that anyone can trigger into one entry per key and window. The first
 * event of a key is written at once; repeats within `windowMs` are only counted; when the window
 * ends, one summary with `details.count` is written and a new window starts (a key that stays
 * quiet for a whole window is forgotten). Memory is bounded by `maxKeys` (plus one overflow key
 * per category and severity) whatever the keys an attacker makes up.
 */
export class Coalescer {
  private readonly keys = new Map<string, Tracked>();
  private stopped = false;

  constructor(private readonly options: CoalescerOptions) {}

  /**
   * `true`: write this event now (the first of its key). `false`: it was counted into the
   * key's next summary. `sample` is called only for the first repeat of a window, so repeats
   * cost no redaction or serialisation.
   */
  admit(
    rawKey: string,
    event: { severity: Severity; category: string },
    sample: () => CoalesceSample,
  ): boolean {
    if (this.stopped) return true;
    let key = truncateText(rawKey, MAX_NAME_CHARS);
    let overflow = false;
    if (!this.keys.has(key) && this.keys.size >= this.options.maxKeys) {
      key = `overflow:${truncateText(event.category, MAX_NAME_CHARS)}:${event.severity}`;
      overflow = true;
    }
    const tracked = this.keys.get(key);
    const now = this.options.now();
    if (!tracked) {
      const timer = setTimeout(() => this.windowEnded(key), this.options.windowMs);
      timer.unref();
      this.keys.set(key, { count: 0, firstMs: now, lastMs: now, sample: null, timer, overflow });
      return true;
    }
    if (tracked.count === 0) {
      tracked.firstMs = now;
      tracked.sample = sample();
    }
    tracked.count += 1;
    tracked.lastMs = now;
    return false;
  }

  /** Coalesces again after `drain()` (the service started again). */
  resume(): void {
    this.stopped = false;
  }

  /** Writes every pending summary now and forgets all keys (the service is stopping). */
  drain(): void {
    this.stopped = true;
    for (const [key, tracked] of this.keys) {
      clearTimeout(tracked.timer);
      this.summarise(key, tracked);
    }
    this.keys.clear();
  }

  /** Keys tracked now (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }

  private windowEnded(key: string): void {
    const tracked = this.keys.get(key);
    if (!tracked) return;
    if (tracked.count === 0) {
      this.keys.delete(key);
      return;
    }
    this.summarise(key, tracked);
    tracked.count = 0;
    tracked.sample = null;
    tracked.timer = setTimeout(() => this.windowEnded(key), this.options.windowMs);
    tracked.timer.unref();
  }

  private summarise(key: string, tracked: Tracked): void {
    if (tracked.count === 0 || !tracked.sample) return;
    const { overflow } = tracked;
    const seconds = Math.round(this.options.windowMs / 1000);
    const span = seconds >= 1 ? `${seconds} s` : `${this.options.windowMs} ms`;
    const times = tracked.count === 1 ? 'once' : `${tracked.count} times`;
    const suffix = overflow
      ? ` (and similar ${tracked.sample.category} events from too many sources to list: ${times} in the last ${span})`
      : ` (repeated ${times} in the last ${span})`;
    const { sample } = tracked;
    this.options.write({
      ...sample,
      message: truncateText(sample.message, MAX_MESSAGE_CHARS - suffix.length) + suffix,
      details: {
        count: tracked.count,
        firstTime: new Date(tracked.firstMs).toISOString(),
        lastTime: new Date(tracked.lastMs).toISOString(),
        windowSeconds: this.options.windowMs / 1000,
        coalesceKey: key,
        ...(overflow ? { overflow: true } : {}),
        sample: sample.details,
      },
    });
  }
}
