import type { AuditLog } from '../audit/audit-log';
import type { MountRequestSource } from './mount-security-service';
import type { ValidatedMount } from './validator';

/** More masks than this in one mount and a container start is refused (mount a smaller folder). */
export const MAX_MASKS_PER_MOUNT = 1000;

/**
 * A folder too large to check fully might hide a secret below what was scanned: an agent
 * never gets it. (The user's "Test a path" still shows the verdict, with a note.) Each verdict
 * refused here is changed in place and audited.
 */
export function refuseUncheckable(
  verdicts: ValidatedMount[],
  source: MountRequestSource,
  audit: AuditLog,
): void {
  for (const v of verdicts) {
    if (!v.allowed) continue;
    if (v.maskScanIncomplete)
      refuseAtStart(
        v,
        'too_large_to_check',
        `Folder too large to check for secrets: "${v.realPath}" has more entries than aigo can scan before a container starts. Mount a smaller folder inside it.`,
        source,
        audit,
      );
    else if (v.masked.length > MAX_MASKS_PER_MOUNT)
      refuseAtStart(
        v,
        'too_many_masks',
        `Too many sensitive entries to hide: "${v.realPath}" has ${v.masked.length} (sockets, keys, secret files), more than the ${MAX_MASKS_PER_MOUNT} aigo hides in one mount. Mount a smaller folder inside it.`,
        source,
        audit,
      );
  }
}

function refuseAtStart(
  v: ValidatedMount,
  code: string,
  reason: string,
  source: MountRequestSource,
  audit: AuditLog,
): void {
  v.allowed = false;
  v.code = code;
  v.reason = reason;
  audit.record({
    severity: 'warning',
    category: 'mounts',
    message: `Mount refused: ${reason}`,
    details: { hostPath: v.hostPath, code, source },
  });
}
