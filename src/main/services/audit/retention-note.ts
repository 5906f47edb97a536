import type { AuditInput } from './audit-entry';
import type { PruneResult, RetentionLimits } from './retention';

/**
 * The audit entry that reports what retention deleted. Coalesced: a log that rotates often (a
 * flood of events of many kinds) gets one note per window, not one per rotation.
 */
export function retentionNote(pruned: PruneResult, limits: RetentionLimits): AuditInput {
  const files = pruned.files.length;
  return {
    severity: 'info',
    category: 'audit',
    message: `Audit log retention deleted ${files} old file${files === 1 ? '' : 's'} (${byteSize(pruned.bytes)}): ${pruned.byAge} older than ${Math.round(limits.maxAgeMs / 86_400_000)} days, ${pruned.bySize} over the ${byteSize(limits.maxBytes)} limit. Change the limits under Settings > Security > Audit log retention.`,
    coalesceKey: 'audit-retention',
    details: {
      files,
      bytes: pruned.bytes,
      byAge: pruned.byAge,
      bySize: pruned.bySize,
      maxBytes: limits.maxBytes,
      maxAgeDays: limits.maxAgeMs / 86_400_000,
      oldest: pruned.files[0],
      newest: pruned.files.at(-1),
    },
  };
}

/** Audit files are sized in binary units, as the retention setting is (MiB). */
function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
