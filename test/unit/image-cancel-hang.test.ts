import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { dockerBackend, type ImageBackend } from '../../src/main/services/image/backends';
import { ImageService } from '../../src/main/services/image/image-service';
import type { RuntimeService } from '../../src/main/services/runtime/runtime-service';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { silentLogger, tempDir } from '../helpers/temp';

/**
 * An engine that takes the build context and then never answers, as the guide's "Image Build
 * Hangs" engine did: the request is accepted, no status line ever comes back. Every other call
 * (inspect, the clean-up's container list) hangs the same way once a build is under way.
 */
function silentEngine(socket: string): Promise<{ server: Server; builds: () => number }> {
  let builds = 0;
  let stalled = false;
  const server = createServer((req, res) => {
    if (req.url?.includes('/build')) {
      builds++;
      stalled = true;
      req.resume(); // reads the whole context, then says nothing
      return;
    }
    if (stalled) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'No such image' }));
  });
  return new Promise((resolve) =>
    server.listen(socket, () => resolve({ server, builds: () => builds })),
  );
}

describe('cancelling a build the engine never answers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let engine: Awaited<ReturnType<typeof silentEngine>>;
  let service: ImageService;

  /** An image service on a running runtime whose builds go to `backend`. */
  const imageService = (backend: ImageBackend) =>
    new ImageService({
      runtime: {
        status: () =>
          ({
            available: true,
            backend: 'docker',
            message: 'ok',
            disk: null,
          }) as unknown as RuntimeStatus,
      } as unknown as RuntimeService,
      bus: new EventBus(),
      audit: { record: () => undefined } as unknown as AuditLog,
      logger: silentLogger(),
      settings: () => defaultSettings().image,
      appVersion: '1.0.0',
      context: { dockerfile: join(dir.path, 'Dockerfile'), runner: join(dir.path, 'runner.mjs') },
      backend: () => backend,
    });

  beforeEach(async () => {
    dir = await tempDir('aigo-image-cancel-');
    await writeFile(join(dir.path, 'Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir.path, 'runner.mjs'), '// runner\n');
    const socketPath = join(dir.path, 'engine.sock');
    engine = await silentEngine(socketPath);
    const client = new Docker({ socketPath });
    service = imageService(dockerBackend(client, client));
    await service.refresh();
  });
  afterEach(async () => {
    await service.stop();
    engine.server.closeAllConnections();
    engine.server.close();
    await dir.cleanup();
  });

  // No timing assertion: a cancel that waits for the engine never returns, and the test's own
  // timeout fails it.
  it('returns, and the app can build again', { timeout: 20_000 }, async () => {
    const engineHasBuilds = (n: number) =>
      new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (engine.builds() >= n) resolve(clearInterval(poll));
        }, 20);
      });
    await service.startBuild();
    await engineHasBuilds(1);
    const status = await service.cancel();
    expect(status.state).not.toBe('building');
    expect(status.lastBuild).toMatchObject({ outcome: 'cancelled' });
    // Not stuck "building": a new build may start.
    await service.startBuild();
    await engineHasBuilds(2);
    expect((await service.cancel()).lastBuild?.outcome).toBe('cancelled');
  });

  it('returns even when the backend ignores the cancel', { timeout: 20_000 }, async () => {
    const deaf = imageService({
      inspect: async () => null,
      build: async () => ({
        done: new Promise<string | null>(() => undefined),
        cancel: () => undefined,
        cleanUp: async () => undefined,
      }),
    });
    await deaf.startBuild();
    const status = await deaf.cancel();
    expect(status.state).not.toBe('building');
    expect(status.lastBuild?.outcome).toBe('cancelled');
    expect(status.output).toContain('did not confirm the cancel');
    await deaf.stop();
  });
});
