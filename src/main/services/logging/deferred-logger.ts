import type { Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];

/** Lines kept while the log is not there yet; more are counted, and the count logged. */
const MAX_WAITING = 1000;

interface Waiting {
  from: DeferredLog;
  level: Level;
  args: unknown[];
}

class Root {
  real: Logger | null = null;
  waiting: Waiting[] = [];
  dropped = 0;
}

/**
 * A logger for the first moments of the start-up, before the app's log is there: loading
 * pino and its streams takes about 10 ms, and the API answers its first call without it.
 * Lines logged meanwhile wait, and go to the real log in order once it is handed over; from
 * then on every call goes straight through.
 */
class DeferredLog {
  private resolved: Logger | null = null;

  constructor(
    private readonly root: Root,
    private readonly bindings: Record<string, unknown>[],
  ) {
    for (const level of LEVELS)
      (this as unknown as Record<Level, (...args: unknown[]) => void>)[level] = (...args) =>
        this.write(level, args);
  }

  child(bindings: Record<string, unknown>): DeferredLog {
    return new DeferredLog(this.root, [...this.bindings, bindings]);
  }

  get level(): string {
    return this.target()?.level ?? 'info';
  }

  write(level: Level, args: unknown[]): void {
    const target = this.target();
    if (target) (target[level] as (...a: unknown[]) => void)(...args);
    else if (this.root.waiting.length < MAX_WAITING)
      this.root.waiting.push({ from: this, level, args });
    else this.root.dropped++;
  }

  private target(): Logger | null {
    if (this.resolved) return this.resolved;
    const real = this.root.real;
    if (!real) return null;
    this.resolved = this.bindings.reduce<Logger>((logger, b) => logger.child(b), real);
    return this.resolved;
  }
}

export interface DeferredLogger {
  /** Typed as the app's logger; it offers child() and the level methods, which is what the API uses. */
  logger: Logger;
  /** Hands over the real log: what waited is written to it now. Once; later calls do nothing. */
  resolve(real: Logger): void;
}

export function deferredLogger(): DeferredLogger {
  const root = new Root();
  const logger = new DeferredLog(root, []);
  return {
    logger: logger as unknown as Logger,
    resolve(real) {
      if (root.real) return;
      root.real = real;
      for (const { from, level, args } of root.waiting.splice(0)) from.write(level, args);
      if (root.dropped)
        real.warn({ dropped: root.dropped }, 'Log lines of the start-up were dropped');
      root.dropped = 0;
    },
  };
}
