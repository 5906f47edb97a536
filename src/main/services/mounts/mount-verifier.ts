import { readFile, stat } from 'node:fs/promises';
import type { AuditLog } from '../audit/audit-log';
import { AppError } from '../../../shared/errors';
import type { ExpectedMount } from './mount-security-service';

/** What the engine says about a started container. */
export interface StartedContainer {
  id: string;
  /** The container's first process as the host sees it; null when it runs in a VM. */
  pid: number | null;
  mounts: { source: string; destination: string }[];
}

export interface MountMismatch {
  target: string;
  expected: string;
  found: string;
}

export type VerifyMethod = 'procfs' | 'host-stat';

export interface MountVerifierDeps {
  audit: AuditLog;
  /** `/proc` of the host; tests may point it elsewhere. */
  procRoot?: string;
  /** Off where the engine runs in a VM (Docker Desktop, Apple Container): its pids are not ours. */
  procfs?: boolean;
}

/**
 * Docker resolves a bind source again when a container starts, so a folder swapped for a
 * symlink between validation and start would be mounted. After the start, this checks that
 * every mount target shows the very file aigo validated (device and inode), and stops the
 * container at once, as a violation, when one does not.
 *
 * Best method (a local Linux engine): stat each target through `/proc/<pid>/root`, i.e. what
 * the container really sees, which no later swap on the host can disguise. Otherwise each
 * source is stat'ed again on the host, which catches a swap that is still in place.
 */
export class MountVerifier {
  constructor(private readonly deps: MountVerifierDeps) {}

  async verify(
    container: StartedContainer,
    expected: readonly ExpectedMount[],
    context: { group?: string; session?: string },
    stop: () => Promise<void>,
  ): Promise<VerifyMethod> {
    const { method, mismatches } = await this.compare(container, expected);
    if (mismatches.length === 0) return method;
    await stop().catch(() => undefined);
    const message = `Container stopped: ${mismatches.length === 1 ? 'a mount' : `${mismatches.length} mounts`} changed between validation and start (${mismatches
      .slice(0, 3)
      .map((m) => m.target)
      .join(
        ', ',
      )}). Something replaced a validated folder, for example with a symlink; nothing was started.`;
    this.deps.audit.record({
      severity: 'violation',
      category: 'mounts',
      ...(context.group ? { group: context.group } : {}),
      container: container.id,
      message,
      details: { method, mismatches: mismatches.slice(0, 20), session: context.session ?? null },
    });
    throw new AppError('FORBIDDEN', message, { mismatches: mismatches.slice(0, 20), method });
  }

  async compare(
    container: StartedContainer,
    expected: readonly ExpectedMount[],
  ): Promise<{ method: VerifyMethod; mismatches: MountMismatch[] }> {
    const mismatches: MountMismatch[] = [];
    // The engine must mount exactly what aigo asked for, from where aigo asked.
    for (const e of expected) {
      const seen = container.mounts.find((m) => m.destination === e.target);
      if (!seen) mismatches.push({ target: e.target, expected: e.source, found: 'not mounted' });
      else if (seen.source !== e.source)
        mismatches.push({ target: e.target, expected: e.source, found: seen.source });
    }
    const viaProc = await this.procfsUsable(container, expected);
    const method: VerifyMethod = viaProc ? 'procfs' : 'host-stat';
    for (const e of expected) {
      const path = viaProc ? `${this.procRoot}/${container.pid}/root${e.target}` : e.source;
      const found = await stat(path).then(
        (s) => ({ dev: s.dev, ino: s.ino }),
        (error: NodeJS.ErrnoException) => error.code ?? 'unreadable',
      );
      if (typeof found === 'string')
        mismatches.push({ target: e.target, expected: describe(e), found });
      else if (found.dev !== e.identity.dev || found.ino !== e.identity.ino)
        mismatches.push({
          target: e.target,
          expected: describe(e),
          found: `device ${found.dev}, inode ${found.ino}`,
        });
    }
    return { method, mismatches };
  }

  private get procRoot(): string {
    return this.deps.procRoot ?? '/proc';
  }

  /**
   * The pid is really this container's on this kernel when its mount table lists the targets
   * aigo asked for; in a VM the number names some unrelated host process, or none.
   */
  private async procfsUsable(
    container: StartedContainer,
    expected: readonly ExpectedMount[],
  ): Promise<boolean> {
    if (this.deps.procfs === false || !container.pid || expected.length === 0) return false;
    const table = await readFile(`${this.procRoot}/${container.pid}/mountinfo`, 'utf8').catch(
      () => null,
    );
    if (!table) return false;
    const points = new Set(
      table.split('\n').map((line) => unescapeMountPoint(line.split(' ')[4] ?? '')),
    );
    if (!expected.every((e) => points.has(e.target))) return false;
    return stat(`${this.procRoot}/${container.pid}/root/`).then(
      () => true,
      () => false,
    );
  }
}

function describe(e: ExpectedMount): string {
  return `${e.source} (device ${e.identity.dev}, inode ${e.identity.ino})`;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPoint(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** The parts of `docker inspect` (a started container) the verifier reads. */
export function startedFromDockerInspect(info: {
  Id: string;
  State: { Pid?: number };
  Mounts: { Source?: string; Destination: string }[];
}): StartedContainer {
  return {
    id: info.Id,
    pid: info.State.Pid ? info.State.Pid : null,
    mounts: info.Mounts.map((m) => ({ source: m.Source ?? '', destination: m.Destination })),
  };
}
