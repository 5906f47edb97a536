import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';

/** A root that moved is audited once per new location, and stays a warning until fixed. */
export class MovedRootReporter {
  private readonly reportedMoves = new Set<string>();

  constructor(private readonly deps: { audit: AuditLog; warnings: WarningCenter }) {}

  report(path: string, was: string | null, now: string): void {
    const key = `${path}\0${now}`;
    if (this.reportedMoves.has(key)) return;
    this.reportedMoves.add(key);
    const message = `Allowed root "${path}" now resolves to "${now}" (it was "${was}" when you allowed it). It admits nothing until you re-confirm it in Settings > Container > Mount Security.`;
    this.deps.audit.record({
      severity: 'warning',
      category: 'mounts',
      message,
      details: { root: path, was, now },
    });
    this.deps.warnings.add('MOUNT_ROOT_MOVED', message, { root: path });
  }
}
