import type { Logger } from 'pino';
import type { ProxyConfig } from '../../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { autoBindAddress } from './bind-address';
import type { ProxyActivity } from './proxy-activity';
import { recordProxyEvent } from './proxy-audit';
import { probeListen, type BoundAddress, type ProxyServer } from './proxy-server';

export interface LifecycleDeps {
  server: ProxyServer;
  config: () => ProxyConfig;
  activity: ProxyActivity;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  runtime: () => RuntimeStatus;
  /** Overrides the configured port (0 picks a free one). */
  portOverride?: number;
}

/**
 * Starts, stops and rebinds the proxy's server. Transitions run one at a time, in the order
 * asked, so a quick off-on-off never leaves two servers or a server the user turned off.
 */
export class ProxyLifecycle {
  private current: BoundAddress | null = null;
  private transition: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: LifecycleDeps) {}

  /** Where the server listens, or null while it does not. */
  get bound(): BoundAddress | null {
    return this.current;
  }

  /** The configured bind address, else the one that suits the container runtime. */
  bindAddress(): string {
    return this.deps.config().bindAddress ?? autoBindAddress(this.deps.runtime());
  }

  /**
   * Follows the runtime: when Docker's gateway address changes, the auto bind address does
   * too. Returns the unsubscribe.
   */
  followRuntime(bus: EventBus): () => void {
    return bus.on('runtime.changed', () => {
      const automatic = !this.deps.config().bindAddress;
      if (this.current && automatic && this.bindAddress() !== this.current.host)
        void this.restart('the host gateway changed');
    });
  }

  /**
   * Throws the listen error the server would hit under `next`, without touching the running
   * server. While it holds the same port, only the address is checked (on a free port).
   */
  async checkCanListen(next: ProxyConfig): Promise<void> {
    const host = next.bindAddress ?? autoBindAddress(this.deps.runtime());
    const port = this.deps.portOverride ?? next.port;
    await probeListen(host, this.current && this.current.port === port ? 0 : port);
  }

  start(reason: string, throwOnError: boolean): Promise<void> {
    return this.serialise(async () => {
      if (!this.current && this.deps.config().enabled) await this.listen(reason, throwOnError);
    });
  }

  stop(reason: string): Promise<void> {
    return this.serialise(async () => {
      if (!this.current) return;
      await this.closeServer();
      recordProxyEvent(this.deps.audit, {
        severity: 'info',
        message: `Credential proxy stopped (${reason})`,
        details: {},
      });
      this.deps.activity.changed();
    });
  }

  restart(reason: string, throwOnError = false): Promise<void> {
    return this.serialise(async () => {
      // Queued work may run after the user turned the proxy off: then it stays off.
      if (!this.deps.config().enabled) return;
      await this.closeServer();
      await this.listen(reason, throwOnError);
    });
  }

  /** Waits for the transition under way, then closes the server, unaudited (the app quits). */
  async shutdown(): Promise<void> {
    await this.transition.catch(() => undefined);
    await this.closeServer();
  }

  private async closeServer(): Promise<void> {
    await this.deps.server.close();
    this.current = null;
  }

  private async listen(reason: string, throwOnError: boolean): Promise<void> {
    const { server, config, activity, audit, logger, warnings } = this.deps;
    try {
      this.current = await server.listen(
        this.bindAddress(),
        this.deps.portOverride ?? config().port,
      );
      activity.lastError = null;
      warnings.resolve('PROXY_START_FAILED');
      recordProxyEvent(audit, {
        severity: 'info',
        message: `Credential proxy started on ${this.current.host}:${this.current.port} (${reason})`,
        details: { ...this.current, strict: config().strict },
      });
      logger.info(this.current, 'Credential proxy listening');
    } catch (error) {
      activity.lastError = (error as Error).message;
      logger.error({ err: error }, 'Credential proxy could not start');
      if (throwOnError) throw error;
      warnings.add('PROXY_START_FAILED', (error as Error).message);
    } finally {
      activity.changed();
    }
  }

  private serialise(work: () => Promise<void>): Promise<void> {
    const next = this.transition.catch(() => undefined).then(work);
    this.transition = next;
    return next;
  }
}
