import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { Settings } from '../../../shared/schemas/settings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { detectRuntime, type Detection } from './detect';
import { commandFailure, type DockerProbeSuccess } from './docker-probe';
import type { HostEnv } from './host-env';
import { detectingStatus } from './initial-status';

export interface RuntimeServiceDeps {
  host: HostEnv;
  bus: EventBus;
  logger: Logger;
  audit: AuditLog;
  settings: () => Settings['runtime'];
  /** While available: how often to ping the engine in case its event stream hangs silently. */
  healthIntervalMs?: number;
  /** While unavailable: first and longest wait between re-detections. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * Knows which container runtime is usable right now. Detects on start, on demand and in the
 * background: while Docker is up it holds the engine's event stream open (a daemon that dies
 * closes it, so the change is seen at once) and pings it periodically; while nothing is
 * available it re-detects with exponential backoff.
 */
export class RuntimeService {
  private current: Detection;
  private timer: NodeJS.Timeout | null = null;
  private eventStream: NodeJS.ReadableStream | null = null;
  private inFlight: Promise<RuntimeStatus> | null = null;
  private queued: Promise<RuntimeStatus> | null = null;
  private retryDelay: number;
  private stopped = true;

  constructor(private readonly deps: RuntimeServiceDeps) {
    this.retryDelay = deps.retryMinMs ?? 1000;
    this.current = {
      docker: null,
      status: detectingStatus(),
    };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.detect('startup');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.closeEventStream();
    await this.inFlight?.catch(() => undefined);
  }

  status(): RuntimeStatus {
    return this.current.status;
  }

  /** The Docker clients of the detected engine, for services that run containers. */
  docker(): DockerProbeSuccess {
    if (!this.current.docker) {
      throw new AppError(
        'RUNTIME_UNAVAILABLE',
        `No Docker engine is available. ${this.current.status.message}`,
        {
          runtime: this.current.status.message,
        },
      );
    }
    return this.current.docker;
  }

  /**
   * Detects now. A detection already running may predate what prompted this call (a settings
   * change), so one more runs after it; every caller that arrives meanwhile shares that one.
   */
  recheck(reason = 'requested'): Promise<RuntimeStatus> {
    if (!this.inFlight) return this.detect(reason);
    this.queued ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.detect(reason);
      });
    return this.queued;
  }

  /** Background detections join one already running: its result is just as fresh. */
  private detect(reason: string): Promise<RuntimeStatus> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.runDetection(reason).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runDetection(reason: string): Promise<RuntimeStatus> {
    this.clearTimer();
    const previous = this.current.status;
    let detection: Detection;
    try {
      detection = await detectRuntime(this.deps.host, this.deps.settings());
      // Debug Logging: every probe and its answer.
      this.deps.logger.debug(
        {
          probes: detection.status.checks.map((c) => ({
            endpoint: c.endpoint,
            status: c.status,
            ms: c.durationMs,
            message: c.message,
          })),
        },
        'Runtime probes',
      );
    } catch (error) {
      this.deps.logger.error({ err: error }, 'Runtime detection failed unexpectedly');
      detection = {
        docker: null,
        status: {
          ...previous,
          available: false,
          message: `Runtime detection failed: ${(error as Error).message}`,
          checkedAt: new Date().toISOString(),
        },
      };
    }
    if (this.stopped) return detection.status;
    const engineChanged = detection.docker?.client !== this.current.docker?.client;
    this.current = detection;
    if (engineChanged || !detection.docker) this.closeEventStream();
    if (detection.docker && !this.eventStream) this.watchEngineEvents(detection.docker);
    this.reportChange(previous, detection.status, reason);
    this.scheduleNext();
    return detection.status;
  }

  private reportChange(previous: RuntimeStatus, next: RuntimeStatus, reason: string): void {
    if (fingerprint(previous) === fingerprint(next)) return;
    const summary = {
      available: next.available,
      backend: next.backend,
      version: next.version,
      endpoint: next.endpoint,
      reason,
    };
    if (next.available)
      this.deps.logger.info(
        summary,
        `Container runtime available: ${next.product} ${next.version}`,
      );
    else
      this.deps.logger.warn(
        { ...summary, message: next.message },
        'Container runtime not available',
      );
    if (previous.available !== next.available && previous.checks.length > 0) {
      this.deps.audit.record({
        severity: next.available ? 'info' : 'warning',
        category: 'runtime',
        message: next.available
          ? `Container runtime became available (${next.product} ${next.version})`
          : `Container runtime became unavailable: ${next.message}`,
        details: summary,
      });
    }
    this.deps.bus.emit('runtime.changed', next);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    let delay: number;
    if (this.current.status.available) {
      this.retryDelay = this.deps.retryMinMs ?? 1000;
      delay = this.deps.healthIntervalMs ?? 5000;
    } else {
      delay = this.retryDelay;
      this.retryDelay = Math.min(this.retryDelay * 2, this.deps.retryMaxMs ?? 8000);
    }
    this.timer = setTimeout(() => void this.healthTick(), delay);
    this.timer.unref();
  }

  private async healthTick(): Promise<void> {
    const docker = this.current.docker;
    if (docker && this.current.status.available) {
      // Two misses in a row before calling it lost: a busy engine can be slow to answer once.
      // (A daemon that dies closes the event stream, which is noticed at once anyway.)
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await docker.client.ping();
          // A daemon can answer ping while every real command fails: re-detect to report it.
          if (await commandFailure(docker.client)) break;
          this.scheduleNext();
          return;
        } catch {
          if (this.stopped) return;
        }
      }
    }
    await this.detect('background');
  }

  private watchEngineEvents(engine: DockerProbeSuccess): void {
    engine.streamingClient.getEvents({}, (error, stream) => {
      if (this.stopped) {
        // Arrived after stop(): an open stream would keep the process alive.
        (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
        return;
      }
      if (error || !stream) {
        // Either the engine just went away, or it does not offer an event stream; a ping tells
        // which. Without the stream, the periodic health ping still watches the engine.
        if (this.current.docker === engine) {
          engine.client.ping().catch(() => void this.detect('engine stopped answering'));
        }
        return;
      }
      if (this.current.docker !== engine) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      this.eventStream = stream;
      const lost = () => {
        if (this.eventStream !== stream) return;
        this.eventStream = null;
        if (!this.stopped) void this.detect('engine event stream closed');
      };
      stream.on('end', lost);
      stream.on('close', lost);
      stream.on('error', lost);
      stream.resume(); // we only care that it stays open
    });
  }

  private closeEventStream(): void {
    const stream = this.eventStream as unknown as { destroy?: () => void } | null;
    this.eventStream = null;
    stream?.destroy?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function fingerprint(status: RuntimeStatus): string {
  return JSON.stringify([
    status.available,
    status.backend,
    status.version,
    status.endpoint,
    status.message,
    status.networking,
    status.checks.map((c) => [c.endpoint, c.status, c.version]),
  ]);
}
