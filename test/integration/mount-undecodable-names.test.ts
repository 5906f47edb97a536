import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { runContainer } from '../helpers/docker-run';
import { startMountService } from '../helpers/mount-service';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { tempDir } from '../helpers/temp';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());

/**
 * Node reads a name that is not valid UTF-8 with U+FFFD in place of the bad bytes, so a mask
 * aimed at it would cover a path that does not exist (the engine creates it) and leave the
 * real entry visible. An agent with a read-write mount can make such a name itself: it renames
 * the folder that holds a masked file, and reads the file in its next container.
 */
describe.runIf(runDocker)('names that are not valid UTF-8 in an allowed folder', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let audit: AuditLog;
  let image: string;
  let proj: string;

  beforeAll(async () => {
    image = ensureBusyboxImage();
    t = await tempDir('aigo-undecodable-');
    await chmod(t.path, 0o755);
    proj = join(t.path, 'projects/proj');
    await mkdir(join(proj, 'config'), { recursive: true });
    await writeFile(join(proj, 'config/.env'), 'DB_PASSWORD=hunter2\n');
    for (const p of [join(t.path, 'projects'), proj, join(proj, 'config')]) await chmod(p, 0o777);
    ({ service, audit } = await startMountService({
      dataDir: join(t.path, 'data'),
      home: join(t.path, 'home'),
      auditDir: join(t.path, 'audit'),
    }));
    await service.update({
      allowedRoots: [{ path: join(t.path, 'projects'), allowReadWrite: true, description: 'test' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
  });
  afterAll(async () => {
    await audit?.stop();
    await t?.cleanup();
  });

  it('an agent that renames the folder of a masked file to such a name never reads the file', async () => {
    const first = await service.prepareMounts([{ hostPath: proj, readonly: false, group: 'main' }]);
    expect(first.verdicts[0]?.masked.map((m) => m.path)).toContain('config/.env');
    // The agent's turn: the masked file is hidden, but the folder around it can be renamed.
    const renamed = await runContainer(
      image,
      'cd /workspace/extra/proj && echo "sees:[$(cat config/.env)]" && mv config "$(printf \'\\377.env\')" && echo renamed',
      { Mounts: first.mounts },
    );
    expect(renamed.stdout).toContain('sees:[]');
    expect(renamed.stdout).toContain('renamed');

    // The next start: the folder cannot be masked by its name, so the mount is refused and no
    // container gets it (before, the mask covered a made-up path and the file was readable).
    await expect(
      service.prepareMounts([{ hostPath: proj, readonly: false, group: 'main' }]),
    ).rejects.toThrow(/not valid UTF-8/);
    const verdict = await service.validate({ hostPath: proj, readonly: false }, 'user');
    expect(verdict).toMatchObject({ allowed: false, code: 'undecodable_name' });
    expect(verdict.fix.join(' ')).toContain('Rename the entry');
  });
});
