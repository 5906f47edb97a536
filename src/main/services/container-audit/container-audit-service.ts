import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerAudit, ContainerAuditResult } from '../../../shared/schemas/container-audit';
import type { Diagnostic } from '../../../shared/schemas/diagnostics';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { LABELS } from '../sessions/container-spec';
import type { LaunchRecord } from '../sessions/launcher';
import { auditContainer } from './checks';

export interface ContainerAuditDeps {
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  installId: string;
  /** The engine's client; throws when no Docker-compatible engine answers. */
  docker: () => Docker;
  /** The engine is Podman, which reports some settings in its own way (see checks.ts). */
  podman?: () => boolean;
  settings: () => { auditIntervalMinutes: number; stopNonCompliant: boolean };
  /** How each running container of this aigo was started. */
  launches: () => LaunchRecord[];
  /**
   * Sessions whose container is being started and not yet recorded (mounts being verified, job
   * being written): their containers are audited by the audit their own start triggers.
   */
  starting?: () => ReadonlySet<string>;
  protectedPaths: () => Promise<string[]>;
  /** A container of this aigo was stopped for failing the audit. */
  stopped: (record: LaunchRecord, reason: string) => void;
}

/** Agent containers by name: `aigo-<group>-<session>-<time>`. */
const AGENT_NAME = /^\/?aigo-.+-\d{8}-\d{6}-[0-9a-f]{4,12}-[0-9a-z]+$/;

/**
 * The periodic security audit: at start, after every container start and every few minutes,
 * each running agent container is compared with how aigo started it. A container that differs —
 * or one named like aigo's that this aigo did not start — is non-compliant: a `violation` with
 * the failed checks, and (the default) this aigo's own are stopped at once.
 */
export class ContainerAuditService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ContainerAudit> | null = null;
  private again: Promise<ContainerAudit> | null = null;
  private state: ContainerAudit = { lastRunAt: null, nextRunAt: null, error: null, containers: [] };
  private stopped = false;

  constructor(private readonly deps: ContainerAuditDeps) {}

  start(): void {
    void this.run('start').catch(() => undefined);
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.running?.then(() => undefined).catch(() => undefined) ?? Promise.resolve();
  }

  status(): ContainerAudit {
    return this.state;
  }

  /** Non-compliant containers of the last audit, for Health and `aigo doctor`. */
  diagnostics(): Diagnostic[] {
    return this.state.containers
      .filter((c) => !c.compliant)
      .map((c) => ({
        id: `security-audit-${c.container}`,
        area: 'security',
        status: 'fail' as const,
        title: `Container ${c.name} is non-compliant${c.action === 'stopped' ? ' (stopped)' : ''}`,
        detail: failedNames(c),
        fix: [
          'Verify you have not modified the container environment variables (especially ANTHROPIC_API_KEY)',
          'Check that mounts have not changed since the container started',
          'Review the audit log details for the specific check that failed (Settings > Security, category security-audit)',
        ],
        route: 'security',
      }));
  }

  /**
   * One audit now. A request that arrives while one runs gets one more audit after it (shared
   * by every request that arrived meanwhile): the running one may have listed the containers
   * before the one that asked had started, or skipped it as still starting.
   */
  run(reason: string): Promise<ContainerAudit> {
    if (!this.running) {
      this.running = this.audit(reason).finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.again ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.again = null;
        return this.run(reason);
      });
    return this.again;
  }

  /** Plans the next audit from now (after a run, and when the interval setting changes). */
  reschedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const ms = this.deps.settings().auditIntervalMinutes * 60_000;
    this.state = { ...this.state, nextRunAt: new Date(Date.now() + ms).toISOString() };
    this.timer = setTimeout(() => void this.run('interval').catch(() => undefined), ms);
    this.timer.unref();
  }

  /** Settles the state of a finished run, plans the next one, and tells clients. */
  private publish(state: Omit<ContainerAudit, 'nextRunAt'>): ContainerAudit {
    this.state = { ...state, nextRunAt: this.state.nextRunAt };
    this.reschedule();
    this.deps.bus.emit('securityAudit.changed', this.state);
    return this.state;
  }

  private async audit(reason: string): Promise<ContainerAudit> {
    const now = new Date().toISOString();
    let docker: Docker;
    let list: Docker.ContainerInfo[];
    try {
      docker = this.deps.docker();
      list = await docker.listContainers();
    } catch (error) {
      return this.publish({
        lastRunAt: now,
        error: `No container runtime to audit: ${(error as Error).message}`,
        containers: [],
      });
    }
    const records = new Map(this.deps.launches().map((r) => [r.containerId, r]));
    const ours = list.filter(
      (c) =>
        records.has(c.Id) ||
        c.Labels?.[LABELS.install] === this.deps.installId ||
        c.Labels?.[LABELS.kind] === 'agent' ||
        c.Names.some((n) => AGENT_NAME.test(n)),
    );
    const starting = this.deps.starting?.() ?? new Set<string>();
    const settled = ours.filter(
      (c) =>
        records.has(c.Id) ||
        c.Labels?.[LABELS.install] !== this.deps.installId ||
        !starting.has(c.Labels?.[LABELS.session] ?? ''),
    );
    const guarded = await this.deps.protectedPaths();
    const imageEnv = new Map<string, string[]>();
    const results: ContainerAuditResult[] = [];
    for (const c of settled) {
      try {
        const info = await docker.getContainer(c.Id).inspect();
        if (!imageEnv.has(info.Image))
          imageEnv.set(
            info.Image,
            (
              await docker
                .getImage(info.Image)
                .inspect()
                .catch(() => null)
            )?.Config?.Env ?? [],
          );
        const record = records.get(c.Id) ?? null;
        const checks = auditContainer(info, record, imageEnv.get(info.Image) ?? [], guarded, {
          podman: this.deps.podman?.() ?? false,
        });
        const compliant = checks.every((k) => k.ok);
        // Only this aigo's own are stopped; another install's (or a look-alike) is reported.
        const mine = record !== null || c.Labels?.[LABELS.install] === this.deps.installId;
        const stop = !compliant && mine && this.deps.settings().stopNonCompliant;
        const result: ContainerAuditResult = {
          container: c.Id,
          name: info.Name.replace(/^\//, ''),
          session: record?.session ?? info.Config.Labels?.[LABELS.session] ?? null,
          group: record?.group ?? info.Config.Labels?.[LABELS.group] ?? null,
          compliant,
          checks,
          action: compliant ? 'none' : stop ? 'stopped' : 'flagged',
          checkedAt: now,
        };
        results.push(result);
        this.record(result, reason);
        if (stop) {
          // The reason first: the session records its run as soon as the container exits.
          if (record)
            this.deps.stopped(record, `Stopped by the security audit: ${failedNames(result)}.`);
          await docker
            .getContainer(c.Id)
            .kill()
            .catch(() => undefined);
        }
      } catch (error) {
        this.deps.logger.warn({ err: error, container: c.Id }, 'Could not audit a container');
      }
    }
    this.deps.logger.debug({ reason, containers: results.length }, 'Security audit done');
    return this.publish({ lastRunAt: now, error: null, containers: results });
  }

  private record(result: ContainerAuditResult, reason: string): void {
    const failed = result.checks.filter((k) => !k.ok);
    this.deps.audit.record({
      severity: result.compliant ? 'info' : 'violation',
      category: 'security-audit',
      ...(result.group ? { group: result.group } : {}),
      container: result.name,
      message: result.compliant
        ? `Container ${result.name} is compliant`
        : `Container ${result.name} is non-compliant: ${failedNames(result)}${result.action === 'stopped' ? '; it was stopped' : ''}`,
      details: {
        checks: result.checks,
        failed: failed.map((k) => k.id),
        session: result.session,
        action: result.action,
        reason,
      },
      // The same verdict on the same container every few minutes is one entry with a count.
      coalesceKey: `security-audit:${result.container}:${failed.map((k) => k.id).join(',')}`,
    });
  }
}

function failedNames(result: ContainerAuditResult): string {
  return result.checks
    .filter((k) => !k.ok)
    .map((k) => `${k.id} (expected ${k.expected}, found ${k.actual})`)
    .join('; ');
}
