import type { ChannelState } from '../../../shared/schemas/channels';
import { ChannelError } from './channel';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Random spread around each delay, so many clients do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, jitter: 0.2 };

export interface ConnectionSnapshot {
  state: ChannelState;
  attempt: number;
  nextRetryAt: string | null;
  connectedAt: string | null;
  lastError: string | null;
}

/**
 * One channel's connection life: connecting → connected; lost → reconnecting with bounded
 * exponential backoff (attempt count and next try visible) → connected again; an auth error
 * → failed at once, with its cause, never retried by itself. Owns its one timer.
 */
export class ConnectionMachine {
  private snapshot: ConnectionSnapshot = {
    state: 'disabled',
    attempt: 0,
    nextRetryAt: null,
    connectedAt: null,
    lastError: null,
  };
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;

  constructor(
    private readonly connectOnce: () => Promise<void>,
    private readonly changed: (snapshot: ConnectionSnapshot) => void,
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get current(): ConnectionSnapshot {
    return { ...this.snapshot };
  }

  /** Connects now (a user's Connect, or start with the channel enabled). */
  start(): Promise<void> {
    this.clearTimer();
    this.generation++;
    this.snapshot.attempt = 0;
    return this.attempt(this.generation, 'connecting');
  }

  /** The connection dropped after it was up: retry with backoff (or fail, for auth). */
  lost(error: ChannelError): void {
    if (this.snapshot.state !== 'connected') return;
    this.fail(this.generation, error);
  }

  /** Stops retrying and forgets the connection (Disconnect, disable, app stop). */
  stop(): void {
    this.clearTimer();
    this.generation++;
    this.set({ state: 'disabled', attempt: 0, nextRetryAt: null, connectedAt: null });
  }

  private async attempt(generation: number, state: 'connecting' | 'reconnecting'): Promise<void> {
    this.set({ state, nextRetryAt: null });
    try {
      await this.connectOnce();
      if (generation !== this.generation) return;
      this.set({
        state: 'connected',
        attempt: 0,
        connectedAt: new Date().toISOString(),
        lastError: null,
      });
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail(generation, asChannelError(error));
    }
  }

  private fail(generation: number, error: ChannelError): void {
    if (error.kind === 'auth') {
      this.set({ state: 'failed', nextRetryAt: null, connectedAt: null, lastError: error.message });
      return;
    }
    const attempt = this.snapshot.attempt + 1;
    const base = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** (attempt - 1));
    const spread = 1 + (this.random() * 2 - 1) * this.policy.jitter;
    const delay = Math.max(error.retryAfterMs ?? 0, Math.round(base * spread));
    this.set({
      state: 'reconnecting',
      attempt,
      connectedAt: null,
      lastError: error.message,
      nextRetryAt: new Date(Date.now() + delay).toISOString(),
    });
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt(generation, 'reconnecting');
    }, delay);
  }

  private set(patch: Partial<ConnectionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.changed(this.current);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export function asChannelError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  return new ChannelError('transient', error instanceof Error ? error.message : String(error));
}
