import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import { ContainerAuditService } from '../../src/main/services/container-audit/container-audit-service';
import { EventBus } from '../../src/main/services/events/event-bus';
import { silentLogger } from '../helpers/temp';

describe('security audit runs', () => {
  it('a start that asks while an audit runs gets an audit of its own after it, shared by all who asked', async () => {
    let lists = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const docker = {
      listContainers: async () => {
        lists++;
        if (lists === 1) await gate; // the first audit is still listing
        return [];
      },
    } as unknown as Docker;
    const service = new ContainerAuditService({
      bus: new EventBus(),
      audit: { record: () => undefined } as unknown as AuditLog,
      logger: silentLogger(),
      installId: 'install',
      docker: () => docker,
      settings: () => ({ auditIntervalMinutes: 60, stopNonCompliant: true }),
      launches: () => [],
      protectedPaths: async () => [],
      stopped: () => undefined,
    });
    const first = service.run('container start');
    // Two more containers start while it runs: it may have listed before they existed.
    const second = service.run('container start');
    const third = service.run('container start');
    release();
    await Promise.all([first, second, third]);
    expect(lists).toBe(2);
    await service.stop();
  });
});
