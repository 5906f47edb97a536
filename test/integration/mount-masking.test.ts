import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { runContainer } from '../helpers/docker-run';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { startMountService } from '../helpers/mount-service';
import { tempDir } from '../helpers/temp';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());

describe.runIf(runDocker)('masking and read-only mounts in a real container', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let audit: AuditLog;
  let image: string;
  let proj: string;

  beforeAll(async () => {
    image = ensureBusyboxImage();
    t = await tempDir('aigo-mask-');
    await chmod(t.path, 0o755);
    proj = join(t.path, 'projects/proj');
    await mkdir(join(proj, '.ssh'), { recursive: true });
    await mkdir(join(proj, 'src'), { recursive: true });
    await writeFile(join(proj, 'readme.txt'), 'hello from the host\n');
    await writeFile(join(proj, '.env'), 'ANTHROPIC_API_KEY=sk-ant-real-secret\n');
    await writeFile(join(proj, '.ssh/id_rsa'), '-----BEGIN PRIVATE KEY-----\n');
    await writeFile(join(proj, 'src/app.js'), 'console.log(1)\n');
    // The container runs as uid 1000, like the agent runner: let it read and write the project.
    for (const p of [join(t.path, 'projects'), proj, join(proj, 'src')]) await chmod(p, 0o777);
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

  const script = [
    'cd /workspace/extra/proj',
    'echo "readme:$(cat readme.txt)"',
    'echo "app:$(cat src/app.js)"',
    'echo "env:[$(cat .env)]"',
    'echo "ssh:[$(ls -A .ssh)]"',
    '(echo leak > .env) 2>/dev/null && echo env-writable || echo env-readonly',
    '(echo new > new.txt) 2>/dev/null && echo new-wrote || echo new-readonly',
  ].join('; ');

  it('hides .env and .ssh/id_rsa, shows the rest, and enforces read-only', async () => {
    const { mounts } = await service.prepareMounts([
      { hostPath: proj, group: 'main', readonly: true },
    ]);
    const result = await runContainer(image, script, { Mounts: mounts });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('readme:hello from the host');
    expect(result.stdout).toContain('app:console.log(1)');
    expect(result.stdout).toContain('env:[]');
    expect(result.stdout).toContain('ssh:[]');
    expect(result.stdout).toContain('env-readonly');
    expect(result.stdout).toContain('new-readonly');
    expect(result.stdout).not.toContain('new-wrote');
    expect(result.stdout).not.toContain('sk-ant-real-secret');
    await expect(stat(join(proj, 'new.txt'))).rejects.toThrow();
  });

  it('lets the main group write where the root allows it, but never into a masked entry', async () => {
    const { mounts } = await service.prepareMounts([
      { hostPath: proj, group: 'main', readonly: false },
    ]);
    const result = await runContainer(image, script, { Mounts: mounts });
    expect(result.stdout).toContain('new-wrote');
    expect(result.stdout).toContain('env-readonly');
    expect(await readFile(join(proj, 'new.txt'), 'utf8')).toBe('new\n');
    await rm(join(proj, 'new.txt'));
    expect(await readFile(join(proj, '.env'), 'utf8')).toContain('sk-ant-real-secret');
  });

  it('keeps other groups read-only even when they ask for read-write', async () => {
    const { mounts, verdicts } = await service.prepareMounts([
      { hostPath: proj, group: 'family', readonly: false },
    ]);
    expect(verdicts[0]?.readonly).toBe(true);
    const result = await runContainer(
      image,
      'touch /workspace/extra/proj/other.txt 2>&1 && echo wrote || echo readonly',
      { Mounts: mounts },
    );
    expect(result.stdout).toContain('readonly');
    await expect(stat(join(proj, 'other.txt'))).rejects.toThrow();
  });
});
