import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { RuntimeService } from '../../src/main/services/runtime/runtime-service';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { fakeHost } from '../helpers/fake-host';
import { startFakeDockerApi } from '../helpers/fake-docker-api';
import { silentLogger, tempDir } from '../helpers/temp';

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('RuntimeService background monitor', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let service: RuntimeService | null = null;
  let audit: AuditLog;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await service?.stop();
    await audit?.stop();
    await dir.cleanup();
  });

  it('notices an engine that goes away at once, and one that comes back, and audits both', async () => {
    const fake = await startFakeDockerApi(dir.path, { version: '27.0.0' });
    const bus = new EventBus();
    audit = new AuditLog({ dir: `${dir.path}/audit`, bus, logger: silentLogger() });
    await audit.start();
    const changes: RuntimeStatus[] = [];
    bus.on('runtime.changed', (s) => changes.push(s));
    service = new RuntimeService({
      host: fakeHost({
        env: { DOCKER_HOST: `unix://${fake.socketPath}` },
        realSocketsUnder: dir.path,
        commands: ['docker'],
      }),
      bus,
      audit,
      logger: silentLogger(),
      settings: () => defaultSettings().runtime,
      healthIntervalMs: 60_000, // only the event stream can notice the loss quickly
      retryMinMs: 50,
      retryMaxMs: 200,
    });
    await service.start();
    expect(service.status().available).toBe(true);

    await fake.close();
    const lostAfter = await waitFor(() => !service!.status().available, 5000);
    // The engine's event stream closes with the engine: no polling interval to wait for.
    expect(lostAfter).toBeLessThan(2000);
    expect(service.status().checks.find((c) => c.endpoint.includes(fake.socketPath))?.status).toBe(
      'not_running',
    );

    // The daemon restarts on its usual socket, so DOCKER_HOST still points at it.
    const revived = await startFakeDockerApiAt(fake.socketPath);
    await waitFor(() => service!.status().available, 5000);

    expect(changes.map((c) => c.available)).toEqual([true, false, true]);
    const entries = (await audit.query(auditQuerySchema.parse({ category: 'runtime' }))).entries;
    expect(entries.map((e) => e.severity)).toEqual(['info', 'warning']);
    await service.stop();
    await revived.close();
  });

  it('notices on its health schedule when the engine still answers ping but commands start failing', async () => {
    const engine: { version: string; commandsFail?: string } = { version: '27.0.0' };
    const fake = await startFakeDockerApi(dir.path, engine);
    const bus = new EventBus();
    audit = new AuditLog({ dir: `${dir.path}/audit`, bus, logger: silentLogger() });
    await audit.start();
    service = new RuntimeService({
      host: fakeHost({
        env: { DOCKER_HOST: `unix://${fake.socketPath}` },
        realSocketsUnder: dir.path,
        commands: ['docker'],
      }),
      bus,
      audit,
      logger: silentLogger(),
      settings: () => defaultSettings().runtime,
      healthIntervalMs: 100,
      retryMinMs: 50,
      retryMaxMs: 200,
    });
    await service.start();
    expect(service.status().available).toBe(true);
    engine.commandsFail = 'Error response from daemon: no space left on device';
    await waitFor(() => !service!.status().available, 5000);
    expect(service.status().message).toContain('no space left on device');
    expect(service.status().checks.find((c) => c.endpoint.includes(fake.socketPath))?.status).toBe(
      'commands_fail',
    );
    delete engine.commandsFail;
    await waitFor(() => service!.status().available, 5000);
    await service.stop();
    await fake.close();
  });

  it('runs one fresh detection after a running one, shared by every re-check that arrives meanwhile', async () => {
    const bus = new EventBus();
    audit = new AuditLog({ dir: `${dir.path}/audit`, bus, logger: silentLogger() });
    await audit.start();
    let preferred: 'auto' | 'docker' = 'auto';
    let probes = 0;
    const host = fakeHost();
    const counting = { ...host, which: async (c: string) => (probes++, host.which(c)) };
    service = new RuntimeService({
      host: counting,
      bus,
      audit,
      logger: silentLogger(),
      settings: () => ({ ...defaultSettings().runtime, preferred }),
      retryMinMs: 60_000,
    });
    await service.start();
    probes = 0;
    await service.recheck();
    const oneDetection = probes;
    probes = 0;
    const first = service.recheck();
    preferred = 'docker'; // a settings change lands while the first detection runs
    const [a, b, c] = await Promise.all([first, service.recheck(), service.recheck()]);
    expect(probes).toBe(oneDetection * 2);
    expect(b).toBe(c);
    expect(a.checks.some((check) => check.backend === 'apple_container')).toBe(true);
    expect(b.checks.some((check) => check.backend === 'apple_container')).toBe(false);
  });
});

/** Re-opens a fake engine on a given socket path (a daemon restarting on its usual socket). */
async function startFakeDockerApiAt(socketPath: string) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v[0-9.]+/, '');
    if (url.startsWith('/_ping')) return res.end('OK');
    if (url.startsWith('/version'))
      return res.end(JSON.stringify({ Version: '27.0.1', ApiVersion: '1.46', Components: [] }));
    if (url.startsWith('/info')) return res.end(JSON.stringify({ OperatingSystem: 'Debian' }));
    if (url.startsWith('/containers/json')) return res.end('[]');
    if (url.startsWith('/events')) return res.flushHeaders();
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
