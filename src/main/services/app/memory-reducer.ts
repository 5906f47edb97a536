import type { Logger } from 'pino';

export interface MemoryReducerDeps {
  logger: Logger;
  /** One memory-reducing collection; null where the runtime offers none (nothing is done). */
  collect?: (() => void) | null;
  /** CPU time this process has used so far, µs (user + system). */
  cpuMicros?: () => number;
  /** How often to look; a quiet look is one whole interval of little CPU. */
  intervalMs?: number;
  /** At most this share of one core over an interval counts as quiet. */
  quietShare?: number;
  /**
   * Quiet intervals in a row that end a busy spell. Start-up needs one (nothing follows it
   * but idling); later work needs more, so bursts a few seconds apart (an agent's turns) are
   * one spell, not a collection and a cold start each.
   */
  quietAfterWork?: number;
}

/**
 * Gives memory back once aigo goes quiet. V8 keeps what it grew during a burst of work (the
 * young generation sized for start-up or a run of queries, old-space pages it freed) and, in a
 * Node process, nothing asks for it back: Chrome's own memory reducer runs when a tab goes idle,
 * Node has no such signal. So the first quiet second after start-up, and three quiet seconds
 * after each later busy spell, run one memory-reducing collection (V8's "last resort": shrinks the young
 * generation, compacts, releases free pages). It pauses the process for tens of milliseconds,
 * only when nothing is happening, once per busy spell; a steady idle app is never collected.
 * Measured (`npm run bench -- memory`): idle RSS of `aigo serve` about 10 MB lower.
 */
export class MemoryReducer {
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = 0;
  /** Work happened since the last collection (start-up counts as work). */
  private busySince = true;
  /** Quiet intervals needed before the next collection, and seen so far. */
  private quietNeeded = 1;
  private quietSeen = 0;
  private readonly collect: (() => void) | null;
  private readonly cpuMicros: () => number;
  private readonly intervalMs: number;
  private readonly quietShare: number;
  private readonly quietAfterWork: number;
  /** Collections run, for the debug log and tests. */
  collections = 0;

  constructor(private readonly deps: MemoryReducerDeps) {
    this.collect = deps.collect === undefined ? memoryReducingCollection() : deps.collect;
    this.cpuMicros = deps.cpuMicros ?? processCpuMicros;
    this.intervalMs = deps.intervalMs ?? 1000;
    this.quietShare = deps.quietShare ?? 0.05;
    this.quietAfterWork = deps.quietAfterWork ?? 3;
  }

  start(): void {
    if (!this.collect || this.timer) return;
    this.lastCpu = this.cpuMicros();
    this.timer = setInterval(() => this.look(), this.intervalMs);
    this.timer.unref(); // never what keeps the process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private look(): void {
    const cpu = this.cpuMicros();
    const share = (cpu - this.lastCpu) / (this.intervalMs * 1000);
    this.lastCpu = cpu;
    if (share > this.quietShare) {
      if (this.collections > 0) this.quietNeeded = this.quietAfterWork;
      this.busySince = true;
      this.quietSeen = 0;
      return;
    }
    if (!this.busySince || ++this.quietSeen < this.quietNeeded) return;
    this.busySince = false;
    const started = performance.now();
    try {
      this.collect?.();
      this.collections++;
      this.deps.logger.debug(
        { ms: Math.round(performance.now() - started), rssMb: Math.round(rssMb()) },
        'Quiet after work: gave memory back',
      );
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'The memory-reducing collection failed; not retried');
      this.stop();
    }
    // The collection's own CPU is not work to collect after.
    this.lastCpu = this.cpuMicros();
  }
}

function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function rssMb(): number {
  return process.memoryUsage.rss() / 1048576;
}

/**
 * V8's collection that reduces the footprint, reached through the `gc` function a new context
 * gets once `--expose-gc` is set (the main context never gets one: no code of aigo or of a
 * package can call it by accident). Null where the runtime refuses.
 */
export function memoryReducingCollection(): (() => void) | null {
  try {
    // Taken when first needed: neither module is any use to the start-up.
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    const gc: unknown = process.getBuiltinModule('node:vm').runInNewContext('gc');
    if (typeof gc !== 'function') return null;
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return null;
  }
}
