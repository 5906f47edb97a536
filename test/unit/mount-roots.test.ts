import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOUNT_POLICY_FILE } from '../../src/main/services/mounts/mount-security-service';
import { AppError } from '../../src/shared/errors';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { startMountService } from '../helpers/mount-service';
import { tempDir } from '../helpers/temp';

/**
 * Roots: the operating system's own folders are never roots, and a root is pinned to where it
 * really was when the user allowed it — repointing its symlink later opens nothing.
 */
let t: Awaited<ReturnType<typeof tempDir>>;
let home: string;

beforeAll(async () => {
  t = await tempDir('aigo-roots-');
  home = join(t.path, 'home');
  for (const d of ['projA/app', 'projB/secret-stuff', '.ssh'])
    await mkdir(join(home, d), { recursive: true });
  await writeFile(join(home, 'projA/app/readme.txt'), 'a');
  await writeFile(join(home, 'projB/secret-stuff/notes.txt'), 'b');
  await writeFile(join(home, '.ssh/id_rsa'), 'KEY');
});
afterAll(() => t.cleanup());

const start = (name: string) =>
  startMountService({
    dataDir: join(t.path, `${name}-data`),
    home,
    auditDir: join(t.path, `${name}-audit`),
  });
const root = (path: string) => ({ path, allowReadWrite: false, description: '' });
const policy = (...paths: string[]) => ({
  allowedRoots: paths.map(root),
  blockedPatterns: [],
  nonMainReadOnly: true,
});

describe('system folders are never roots', () => {
  it.each([
    '/proc',
    '/proc/self',
    '/sys',
    '/dev',
    '/etc',
    '/etc/ssl',
    '/run',
    '/var/run',
    '/boot',
    '/',
    '/var',
  ])('refuses %s, even with broad confirmation', async (path) => {
    const { service, stop } = await start(`sys${path.replace(/\//g, '_')}`);
    try {
      const error = (await service
        .update({ ...policy(path), confirmBroad: true })
        .catch((e: unknown) => e)) as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('system folder');
      expect(service.policy().allowedRoots).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('refuses a symlink whose real path is a system folder', async () => {
    const link = join(t.path, 'etc-link');
    await symlink('/etc', link);
    const { service, stop } = await start('sys-link');
    try {
      const error = (await service.update(policy(link)).catch((e: unknown) => e)) as AppError;
      expect(error.message).toMatch(/really "\/etc".*system folder "\/etc"/);
    } finally {
      await stop();
    }
  });
});

describe('a root whose symlink is repointed', () => {
  it('admits nothing after the move, audits it once, and works again only when re-confirmed', async () => {
    const link = join(home, 'current');
    await symlink('projA', link);
    const { service, audit, stop } = await start('moved');
    try {
      await service.update(policy(link));
      expect(service.policy().allowedRoots[0]?.confirmedRealPath).toBe(join(home, 'projA'));
      expect((await service.validate({ hostPath: join(link, 'app') }, 'user')).allowed).toBe(true);

      // The agent's friend (or a careless script) repoints the root at another folder.
      await rm(link);
      await symlink('projB', link);
      const verdict = await service.validate({ hostPath: join(link, 'secret-stuff') }, 'user');
      expect(verdict).toMatchObject({ allowed: false, code: 'root_changed' });
      expect(verdict.reason).toContain(`now resolves to "${join(home, 'projB')}"`);
      await service.validate({ hostPath: join(link, 'secret-stuff') }, 'config');

      const view = await service.view();
      expect(view.roots[0]).toMatchObject({ needsReconfirm: true });
      expect(view.roots[0]?.problem).toContain('admits nothing');
      const moved = (
        await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'warning' }))
      ).entries.filter((e) => e.message.startsWith('Allowed root'));
      expect(moved).toHaveLength(1);
      expect(moved[0]?.details).toMatchObject({
        was: join(home, 'projA'),
        now: join(home, 'projB'),
      });

      // Saving something else does not quietly accept the new location.
      await service.update({ ...service.policy(), nonMainReadOnly: false });
      expect((await service.validate({ hostPath: join(link, 'secret-stuff') }, 'user')).code).toBe(
        'root_changed',
      );
      // Input cannot pin a root either: the pin comes from the saved policy.
      await service.update({
        ...service.policy(),
        allowedRoots: [{ ...root(link), confirmedRealPath: join(home, 'projB') }],
      });
      expect((await service.validate({ hostPath: join(link, 'secret-stuff') }, 'user')).code).toBe(
        'root_changed',
      );

      await service.update({ ...service.policy(), reconfirmRoots: [link] });
      expect(
        (await service.validate({ hostPath: join(link, 'secret-stuff') }, 'user')).allowed,
      ).toBe(true);
      const [info] = (
        await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'info' }))
      ).entries;
      expect(info?.message).toContain('re-confirmed');
    } finally {
      await rm(link, { force: true });
      await stop();
    }
  });

  it('never admits a root repointed at / , and cannot re-confirm it', async () => {
    const link = join(home, 'to-root');
    await symlink('projA', link);
    const { service, stop } = await start('to-root');
    try {
      await service.update(policy(link));
      await rm(link);
      await symlink('/', link);
      expect(
        (await service.validate({ hostPath: join(link, 'etc/hostname') }, 'user')).allowed,
      ).toBe(false);
      const error = (await service
        .update({ ...service.policy(), reconfirmRoots: [link], confirmBroad: true })
        .catch((e: unknown) => e)) as AppError;
      expect(error.message).toContain('system folder');
    } finally {
      await rm(link, { force: true });
      await stop();
    }
  });

  it('pins the roots of a policy saved before roots were pinned, at start', async () => {
    const dataDir = join(t.path, 'legacy-data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      join(dataDir, MOUNT_POLICY_FILE),
      JSON.stringify({ allowedRoots: [root(join(home, 'projA'))], blockedPatterns: [] }),
    );
    const { service, stop } = await startMountService({
      dataDir,
      home,
      auditDir: join(t.path, 'legacy-audit'),
    });
    try {
      expect(service.policy().allowedRoots[0]?.confirmedRealPath).toBe(join(home, 'projA'));
      const saved = JSON.parse(await readFile(join(dataDir, MOUNT_POLICY_FILE), 'utf8')) as {
        allowedRoots: { confirmedRealPath: string }[];
      };
      expect(saved.allowedRoots[0]?.confirmedRealPath).toBe(join(home, 'projA'));
    } finally {
      await stop();
    }
  });
});
