/** When a mapping was last used, and what the upstream answered. */
export interface MappingUsage {
  lastStatus: number;
  lastUsedAt: string;
}

/**
 * What the proxy has done since it started: request counters, the last error, and each
 * mapping's last use. Every change is announced through `notify`, at most twice a second.
 */
export class ProxyActivity {
  requestsTotal = 0;
  requestsFailed = 0;
  lastError: string | null = null;
  /** Times kept as numbers: formatting one per request would cost more than the rest of it. */
  private readonly usage = new Map<string, { lastStatus: number; lastUsedMs: number }>();
  private statusTimer: NodeJS.Timeout | null = null;

  constructor(private readonly notify: () => void) {}

  /** A request refused before it reached an upstream; `summary` becomes the last error. */
  refused(summary: string): void {
    this.requestsTotal++;
    this.requestsFailed++;
    this.lastError = summary;
  }

  /** A request an upstream answered with `status`. */
  answered(mappingId: string, status: number): void {
    this.requestsTotal++;
    if (status >= 400) this.requestsFailed++;
    const usage = this.usage.get(mappingId);
    if (usage) {
      usage.lastStatus = status;
      usage.lastUsedMs = Date.now();
    } else this.usage.set(mappingId, { lastStatus: status, lastUsedMs: Date.now() });
  }

  usageOf(mappingId: string): MappingUsage | undefined {
    const usage = this.usage.get(mappingId);
    return usage
      ? { lastStatus: usage.lastStatus, lastUsedAt: new Date(usage.lastUsedMs).toISOString() }
      : undefined;
  }

  forget(mappingId: string): void {
    this.usage.delete(mappingId);
  }

  /** Status events at most twice a second, however busy the proxy is. */
  changed(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.notify();
    }, 500);
    this.statusTimer.unref();
  }

  /** No more status events (the proxy is stopping). */
  stopNotifying(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
  }
}
