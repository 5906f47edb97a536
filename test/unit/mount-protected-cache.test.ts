import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMountService } from '../helpers/mount-service';

/**
 * Protected paths are resolved at most once a second for speed; a change of the runtime's
 * socket must still count at once (a runtime switched to another engine).
 */
describe('protected paths reuse', () => {
  let dir: string;
  const options = { runtimeSocket: null as string | null };
  let mounts: Awaited<ReturnType<typeof startMountService>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aigo-guard-'));
    mounts = await startMountService({
      dataDir: join(dir, 'data'),
      home: dir,
      auditDir: join(dir, 'audit'),
      get runtimeSocket() {
        return options.runtimeSocket;
      },
    });
  });
  afterAll(async () => {
    await mounts?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is reused within a second, and follows a new runtime socket at once', async () => {
    const first = await mounts.service.protectedPaths();
    expect(await mounts.service.protectedPaths()).toBe(first);
    options.runtimeSocket = join(dir, 'engine/other.sock');
    const after = await mounts.service.protectedPaths();
    expect(after).not.toBe(first);
    expect(after).toContain(join(dir, 'engine/other.sock'));
  });
});
