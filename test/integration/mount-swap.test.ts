import { chmod, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type {
  BindMount,
  MountSecurityService,
} from '../../src/main/services/mounts/mount-security-service';
import {
  MountVerifier,
  startedFromDockerInspect,
} from '../../src/main/services/mounts/mount-verifier';
import { AppError } from '../../src/shared/errors';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { demuxDockerLogs } from '../../src/main/services/runtime/docker-logs';
import { startMountService } from '../helpers/mount-service';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { tempDir } from '../helpers/temp';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());

/**
 * The window between validation and start: Docker resolves a bind source again when the
 * container starts, so a validated folder swapped for a symlink to ~/.ssh in that window is
 * what the container gets. The verifier must notice and stop the container.
 */
describe.runIf(runDocker)('a folder swapped between validation and start (real engine)', () => {
  const docker = new Docker();
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let audit: AuditLog;
  let image: string;
  let proj: string;
  let home: string;
  const created: Docker.Container[] = [];

  beforeAll(async () => {
    image = ensureBusyboxImage();
    t = await tempDir('aigo-swap-');
    await chmod(t.path, 0o755);
    home = join(t.path, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh/id_rsa'), 'SWAPPED-IN-KEY');
    ({ service, audit } = await startMountService({
      dataDir: join(t.path, 'data'),
      home,
      auditDir: join(t.path, 'audit'),
    }));
    await mkdir(join(t.path, 'projects'), { recursive: true });
    await service.update({
      allowedRoots: [{ path: join(t.path, 'projects'), allowReadWrite: false, description: '' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
  });
  beforeEach(async () => {
    proj = join(t.path, 'projects/proj');
    await rm(proj, { recursive: true, force: true });
    await rm(join(t.path, 'projects/proj-old'), { recursive: true, force: true });
    await mkdir(proj, { recursive: true });
    await writeFile(join(proj, 'readme.txt'), 'the real project');
  });
  afterEach(async () => {
    for (const c of created.splice(0)) await c.remove({ force: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await audit?.stop();
    await t?.cleanup();
  });

  const create = async (mounts: BindMount[]) => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['sh', '-c', 'cat /workspace/extra/proj/* ; sleep 30'],
      User: '1000:1000',
      Labels: { 'aigo.test': '1' },
      HostConfig: { NetworkMode: 'none', Mounts: mounts },
    });
    created.push(container);
    return container;
  };
  const swapForSymlink = async () => {
    await rename(proj, join(t.path, 'projects/proj-old'));
    await symlink(join(home, '.ssh'), proj);
  };

  for (const procfs of [true, false]) {
    const method = procfs ? 'procfs' : 'host-stat';
    it(`stops the container and records a violation (${method})`, async () => {
      const { mounts, expected } = await service.prepareMounts([{ hostPath: proj }]);
      const container = await create(mounts);
      await swapForSymlink(); // the attacker's move, after validation and before start
      await container.start();
      // Without a check, the container has the key:
      const logs = demuxDockerLogs(
        (await container.logs({ stdout: true, follow: false })) as unknown as Buffer,
      );
      const verifier = new MountVerifier({ audit, procfs });
      const error = await verifier
        .verify(
          startedFromDockerInspect(await container.inspect()),
          expected,
          { group: 'family', session: 's1' },
          () => container.kill(),
        )
        .catch((e: unknown) => e);
      expect(error, `the swap went unnoticed; the container printed ${logs}`).toBeInstanceOf(
        AppError,
      );
      expect((error as AppError).code).toBe('FORBIDDEN');
      expect((error as AppError).details).toMatchObject({ method });
      expect((await container.inspect()).State.Running).toBe(false);
      const [entry] = (
        await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'violation' }))
      ).entries;
      expect(entry).toMatchObject({ group: 'family', container: container.id });
      expect(entry?.message).toContain('changed between validation and start');
    });
  }

  it('lets an untouched container run, with the procfs check on a local engine', async () => {
    const { mounts, expected } = await service.prepareMounts([{ hostPath: proj }]);
    const container = await create(mounts);
    await container.start();
    const verifier = new MountVerifier({ audit });
    const method = await verifier.verify(
      startedFromDockerInspect(await container.inspect()),
      expected,
      {},
      () => container.kill(),
    );
    expect(method).toBe('procfs');
    expect((await container.inspect()).State.Running).toBe(true);
  });

  it('catches a swap that is undone right after the start (procfs sees what is mounted)', async () => {
    const { mounts, expected } = await service.prepareMounts([{ hostPath: proj }]);
    const container = await create(mounts);
    await swapForSymlink();
    await container.start();
    // Put everything back before the check: the host looks innocent again.
    await rm(proj);
    await rename(join(t.path, 'projects/proj-old'), proj);
    const verifier = new MountVerifier({ audit });
    const error = await verifier
      .verify(startedFromDockerInspect(await container.inspect()), expected, {}, () =>
        container.kill(),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((await container.inspect()).State.Running).toBe(false);
  });
});
