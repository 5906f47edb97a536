/**
 * How much of the proxy one client may hold. Every session keeps a share of the upstream pool:
 * one session may use at most `perSession` of its `poolSize` connections, one client address
 * (all containers behind Docker Desktop share one) at most `perAddress`.
 */
export interface ProxyLimits {
  /** Requests in flight per container session (per address for requests without a session). */
  perSession: number;
  /** Requests in flight per client address, whatever their sessions. */
  perAddress: number;
  /** Upstream connections per upstream origin. */
  poolSize: number;
  /** A request body that sends nothing for this long is answered 408 and its connection closed. */
  bodyIdleTimeoutMs: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  perSession: 16,
  perAddress: 128,
  poolSize: 256,
  bodyIdleTimeoutMs: 30_000,
};

/** The requests in flight per session and per client address, held below the limits. */
export class InFlightRequests {
  private readonly bySession = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: ProxyLimits) {}

  /**
   * Counts a request in flight for its session (its address stands in when it has none) and its
   * address, unless either already holds its limit; `release` uncounts it, once however often
   * it is called.
   */
  take(
    session: string | null,
    address: string,
  ): { release: () => void } | { refusal: 'address_limit' | 'session_limit' } {
    const slot = session ?? `address:${address}`;
    if ((this.byAddress.get(address) ?? 0) >= this.limits.perAddress)
      return { refusal: 'address_limit' };
    if ((this.bySession.get(slot) ?? 0) >= this.limits.perSession)
      return { refusal: 'session_limit' };
    adjust(this.bySession, slot, 1);
    adjust(this.byAddress, address, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        adjust(this.bySession, slot, -1);
        adjust(this.byAddress, address, -1);
      },
    };
  }
}

/** Keeps only counts above zero, so the maps hold just the clients with requests in flight. */
function adjust(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
