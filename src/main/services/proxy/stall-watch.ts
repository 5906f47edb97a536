/** Something in flight that must keep moving. */
export interface Watched {
  /** A count that grows while it moves (bytes through its socket). */
  progress(): number;
  /** Done: stop watching (a body that arrived whole, say). */
  finished?(): boolean;
  /** Standing still is excused right now (a body paused by a slow upstream, say). */
  excused?(): boolean;
  idleMs: number;
  onStalled(): void;
}

/** A watched thing in the watch's list: linked, so adding and removing allocate nothing more. */
interface Node {
  item: Watched;
  last: number;
  since: number;
  prev: Node | null;
  next: Node | null;
  linked: boolean;
}

/**
 * Finds exchanges that stopped moving, with one timer for all of them: each watched thing is
 * looked at every tick, and one whose progress has not changed for its `idleMs` is stalled. A
 * timer and listeners per request (setTimeout, socket timeouts, data listeners) were a
 * measurable share of the proxy's cost; a look every tick costs a few compares per request.
 * A stall is noticed between `idleMs` and `idleMs` plus one tick (a tenth of the shortest wait,
 * 20 ms to 1 s).
 */
export class StallWatch {
  private head: Node | null = null;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private tickMs = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** Watches until the returned stop is called, the thing finishes, or it stalls. */
  add(item: Watched): () => void {
    const node: Node = {
      item,
      last: item.progress(),
      since: this.now(),
      prev: null,
      next: this.head,
      linked: true,
    };
    if (this.head) this.head.prev = node;
    this.head = node;
    this.count++;
    const tick = Math.min(1000, Math.max(20, Math.floor(item.idleMs / 10)));
    if (!this.timer || tick < this.tickMs) this.restart(tick);
    return () => this.unlink(node);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Stops watching everything. Each node is unlinked, so a stop called later (an exchange that
   * ends after the server closed) finds it gone and leaves a list reused after a restart alone.
   */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tickMs = Infinity;
    while (this.head) this.unlink(this.head);
  }

  private unlink(node: Node): void {
    if (!node.linked) return;
    node.linked = false;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    node.prev = node.next = null;
    this.count--;
  }

  private restart(tickMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.tickMs = tickMs;
    this.timer = setInterval(() => this.sweep(), tickMs);
    this.timer.unref();
  }

  private sweep(): void {
    const now = this.now();
    for (let node = this.head; node;) {
      const next: Node | null = node.next;
      const { item } = node;
      if (item.finished?.()) this.unlink(node);
      else {
        const progress = item.progress();
        if (progress !== node.last || item.excused?.()) {
          node.last = progress;
          node.since = now;
        } else if (now - node.since >= item.idleMs) {
          this.unlink(node);
          item.onStalled();
        }
      }
      node = next;
    }
    if (this.head === null && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.tickMs = Infinity;
    }
  }
}
