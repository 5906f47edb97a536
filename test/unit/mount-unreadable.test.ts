import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateMount } from '../../src/main/services/mounts/validator';
import { DEFAULT_BLOCKED_PATTERNS, type MountVerdict } from '../../src/shared/schemas/mounts';
import { tempDir } from '../helpers/temp';

/**
 * A folder aigo cannot list (mode 0311: enter, but not read) inside an allowed root. A container
 * with the same uid that knows the name inside reads it, so the scan must fail closed. Root
 * can list anything, so under root the check runs in a child process as uid 1000.
 */
const AGENT_UID = 1000;
const asRoot = process.getuid?.() === 0;

let t: Awaited<ReturnType<typeof tempDir>>;
let projects: string;

beforeAll(async () => {
  t = await tempDir('aigo-unreadable-');
  await chmod(t.path, 0o755);
  projects = join(t.path, 'projects');
  await mkdir(join(projects, 'proj/private'), { recursive: true });
  await writeFile(join(projects, 'proj/readme.txt'), 'hi');
  await writeFile(join(projects, 'proj/private/.env'), 'SECRET');
  if (asRoot) {
    for (const p of [projects, join(projects, 'proj'), join(projects, 'proj/private')])
      await chown(p, AGENT_UID, AGENT_UID);
    await chown(join(projects, 'proj/private/.env'), AGENT_UID, AGENT_UID);
  }
  await chmod(join(projects, 'proj/private'), 0o311);
});
afterAll(async () => {
  await chmod(join(projects, 'proj/private'), 0o755).catch(() => undefined);
  await t.cleanup();
});

/** Validates `hostPath` as the user who owns the files (uid 1000 when the tests run as root). */
function validateAsOwner(hostPath: string): Promise<MountVerdict> {
  const ctx = {
    policy: {
      allowedRoots: [
        { path: projects, allowReadWrite: false, description: '', confirmedRealPath: null },
      ],
      blockedPatterns: [],
      nonMainReadOnly: true,
      exposeGitCredentials: false,
    },
    patterns: [...DEFAULT_BLOCKED_PATTERNS],
    home: join(t.path, 'home'),
    protectedPaths: [],
    isMain: true,
    caseInsensitive: false,
  };
  if (!asRoot) return validateMount({ hostPath, readonly: true }, ctx);
  const script = `
    import { validateMount } from ${JSON.stringify(join(process.cwd(), 'src/main/services/mounts/validator.ts'))};
    const v = await validateMount({ hostPath: ${JSON.stringify(hostPath)}, readonly: true }, ${JSON.stringify(ctx)});
    process.stdout.write(JSON.stringify(v));
  `;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      uid: AGENT_UID,
      gid: AGENT_UID,
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: t.path, TSX_DISABLE_CACHE: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (child.status !== 0) throw new Error(`validator child failed: ${child.stderr}`);
  return Promise.resolve(JSON.parse(child.stdout) as MountVerdict);
}

describe('a folder the scan cannot read', () => {
  it('refuses the mount, naming the folder and the fix', async () => {
    const verdict = await validateAsOwner(join(projects, 'proj'));
    expect(verdict).toMatchObject({ allowed: false, code: 'unreadable_entry' });
    expect(verdict.reason).toContain('"private"');
    expect(verdict.fix.join(' ')).toContain(`chmod u+rx "${join(projects, 'proj/private')}"`);
  });

  it('still allows a sibling folder with nothing unreadable in it', async () => {
    await mkdir(join(projects, 'other'), { recursive: true });
    if (asRoot) await chown(join(projects, 'other'), AGENT_UID, AGENT_UID);
    const verdict = await validateAsOwner(join(projects, 'other'));
    expect(verdict.allowed).toBe(true);
  });
});
