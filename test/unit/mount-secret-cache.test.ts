import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMountService } from '../helpers/mount-service';

/**
 * The identities of the user's keys are collected at most once a second for speed. A hard link
 * made to a key already known must still be masked at once, and a new key counts after a second
 * — or at once when a container is about to get the folder.
 */
describe('secret identities reuse', () => {
  let dir: string;
  let home: string;
  let project: string;
  let mounts: Awaited<ReturnType<typeof startMountService>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aigo-secret-cache-'));
    home = join(dir, 'home');
    project = join(dir, 'projects/app');
    await mkdir(join(home, '.password-store'), { recursive: true });
    await writeFile(join(home, '.password-store/bank.txt'), 'PIN');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'readme.md'), 'hi');
    mounts = await startMountService({
      dataDir: join(dir, 'data'),
      home,
      auditDir: join(dir, 'audit'),
    });
    await mounts.service.update({
      allowedRoots: [{ path: join(dir, 'projects'), allowReadWrite: false, description: '' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await mounts?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const masked = async () =>
    (await mounts.service.validate({ hostPath: project }, 'user')).masked.map(
      (m) => `${m.path}:${m.pattern}`,
    );

  it('masks a hard link to a known key made just after a validation', async () => {
    expect(await masked()).toEqual([]);
    await link(join(home, '.password-store/bank.txt'), join(project, 'notes.txt'));
    expect(await masked()).toEqual(['notes.txt:hard link to ~/.password-store/bank.txt']);
  });

  it('counts a new key within a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    await masked();
    await writeFile(join(home, '.password-store/mail.txt'), 'PASSWORD');
    await link(join(home, '.password-store/mail.txt'), join(project, 'mail-backup.txt'));
    vi.setSystemTime(Date.now() + 1001);
    expect(await masked()).toContain('mail-backup.txt:hard link to ~/.password-store/mail.txt');
    vi.useRealTimers();
  });

  it('checks a container start against the keys as they are now', async () => {
    await masked(); // the user's check: identities now cached
    await writeFile(join(home, '.password-store/new.txt'), 'NEW');
    await link(join(home, '.password-store/new.txt'), join(project, 'new-backup.txt'));
    const start = await mounts.service.prepareMounts([{ hostPath: project }], 'config');
    expect(start.verdicts[0]?.masked.map((m) => `${m.path}:${m.pattern}`)).toContain(
      'new-backup.txt:hard link to ~/.password-store/new.txt',
    );
  });

  it('collects the keys of a secret location that is a link (~/.ssh into a dotfiles folder)', async () => {
    await mkdir(join(dir, 'dotfiles/ssh'), { recursive: true });
    await writeFile(join(dir, 'dotfiles/ssh/id_ed25519'), 'KEY');
    await symlink(join(dir, 'dotfiles/ssh'), join(home, '.ssh'));
    await link(join(dir, 'dotfiles/ssh/id_ed25519'), join(project, 'deploy-notes.txt'));
    const start = await mounts.service.prepareMounts([{ hostPath: project }], 'config');
    expect(start.verdicts[0]?.masked.map((m) => `${m.path}:${m.pattern}`)).toContain(
      'deploy-notes.txt:hard link to ~/.ssh/id_ed25519',
    );
  });
});
