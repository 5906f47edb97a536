import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { silentLogger } from './temp';

/** A started mount-security service with its own audit log, on a POSIX-style host. */
export async function startMountService(options: {
  dataDir: string;
  home: string;
  auditDir: string;
  runtimeSocket?: string | null;
  maskScan?: { maxEntries?: number; timeBudgetMs?: number };
}) {
  const bus = new EventBus();
  const audit = new AuditLog({ dir: options.auditDir, bus, logger: silentLogger() });
  await audit.start();
  const service = new MountSecurityService({
    dataDir: options.dataDir,
    home: options.home,
    env: {},
    caseInsensitive: false,
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    runtimeSocket: () => options.runtimeSocket ?? null,
    ...(options.maskScan ? { maskScan: options.maskScan } : {}),
  });
  await service.start();
  return { service, audit, stop: () => audit.stop() };
}
