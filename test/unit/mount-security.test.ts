import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { componentMatches } from '../../src/main/services/mounts/patterns';
import { AppError } from '../../src/shared/errors';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import type { MountRequest } from '../../src/shared/schemas/mounts';
import { startMountService } from '../helpers/mount-service';
import { tempDir } from '../helpers/temp';

/**
 * The hostile corpus: every way a path can try to reach what it must not. Each case asserts
 * the verdict and its reason code (and, where the guide names one, the message).
 */
let t: Awaited<ReturnType<typeof tempDir>>;
let service: MountSecurityService;
let audit: AuditLog;
let socketServer: Server;
let home: string;
let projects: string;
let dataDir: string;
let runtimeSocket: string;

async function tree(): Promise<void> {
  home = join(t.path, 'home');
  projects = join(home, 'projects');
  dataDir = join(projects, 'aigo-data');
  const dirs = [
    join(home, '.ssh'),
    join(home, '.aws'),
    join(projects, 'proj/src'),
    join(projects, 'proj/.ssh'),
    join(projects, 'proj/deep/a/b'),
    join(projects, 'proj/.ssh/keys'),
    join(projects, 'project-secrets'),
    join(projects, 'we:ird'),
    join(projects, '-dash'),
    join(projects, 'new\nline'),
    join(projects, '.SSH'),
    join(projects, 'Backup.SSH'),
    join(home, 'work/app'),
    join(home, 'work/app-secrets'),
    join(t.path, 'outside/stuff'),
    join(dataDir, 'logs'),
    join(projects, 'sockets'),
  ];
  for (const d of dirs) await mkdir(d, { recursive: true });
  const files: [string, string][] = [
    [join(home, '.ssh/id_rsa'), 'PRIVATE KEY'],
    [join(home, '.aws/credentials'), 'aws'],
    [join(projects, 'proj/readme.txt'), 'hello'],
    [join(projects, 'proj/.env'), 'API_KEY=sk-real'],
    [join(projects, 'proj/.env.local'), 'x'],
    [join(projects, 'proj/credentials.json'), '{}'],
    [join(projects, 'proj/server.pem'), 'pem'],
    [join(projects, 'proj/src/app.js'), 'code'],
    [join(projects, 'proj/.ssh/id_rsa'), 'KEY'],
    [join(projects, 'proj/deep/a/b/.env'), 'four levels down'],
    [join(projects, 'notes.txt'), 'notes'],
    [join(dataDir, 'settings.json'), '{}'],
  ];
  for (const [f, c] of files) await writeFile(f, c);
  await symlink('../.ssh', join(projects, 'link-to-ssh'));
  await symlink('chain2', join(projects, 'chain1'));
  await symlink('../.ssh', join(projects, 'chain2'));
  await symlink('loop-b', join(projects, 'loop-a'));
  await symlink('loop-a', join(projects, 'loop-b'));
  await symlink('projects', join(home, 'linked-root'));
  await symlink('proj', join(projects, 'current'));
  await symlink('../../../.ssh/id_rsa', join(projects, 'proj/src/innocent.txt'));
  runtimeSocket = join(projects, 'sockets/docker.sock');
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(runtimeSocket, resolve));
}

beforeAll(async () => {
  t = await tempDir('aigo-mounts-');
  await tree();
  ({ service, audit } = await startMountService({
    dataDir,
    home,
    auditDir: join(t.path, 'audit'),
    runtimeSocket,
  }));
  await service.update({
    allowedRoots: [
      { path: projects, allowReadWrite: true, description: 'projects' },
      { path: join(home, 'work/app'), allowReadWrite: false, description: '' },
    ],
    blockedPatterns: ['*.crt'],
    nonMainReadOnly: true,
  });
});

afterAll(async () => {
  socketServer.close();
  await audit.stop();
  await rm(join(dataDir, 'mask'), { recursive: true, force: true }).catch(() => undefined);
  await t.cleanup();
});

type Case = [
  name: string,
  request: () => MountRequest,
  code: string,
  extra?: (v: Awaited<ReturnType<MountSecurityService['validate']>>) => void,
];

const P = (...parts: string[]) => join(projects, ...parts);
const cases: Case[] = [
  [
    'a plain allowed folder',
    () => ({ hostPath: P('proj') }),
    'allowed',
    (v) => expect(v.containerPath).toBe('/workspace/extra/proj'),
  ],
  ['the allowed root itself', () => ({ hostPath: projects }), 'allowed'],
  [
    'a tilde path',
    () => ({ hostPath: '~/projects/proj' }),
    'allowed',
    (v) => expect(v.realPath).toBe(P('proj')),
  ],
  [
    'a trailing slash',
    () => ({ hostPath: `${P('proj')}/` }),
    'allowed',
    (v) => expect(v.realPath).toBe(P('proj')),
  ],
  ['doubled separators', () => ({ hostPath: P('proj').replace('/proj', '//proj') }), 'allowed'],
  ['a ./ segment', () => ({ hostPath: `${projects}/./proj` }), 'allowed'],
  ['a harmless .. segment', () => ({ hostPath: `${projects}/proj/../proj` }), 'allowed'],
  [
    'a file',
    () => ({ hostPath: P('notes.txt') }),
    'allowed',
    (v) => expect(v.containerPath).toBe('/workspace/extra/notes.txt'),
  ],
  [
    'a symlink to an allowed folder (mounted by its real path)',
    () => ({ hostPath: P('current') }),
    'allowed',
    (v) => expect(v.realPath).toBe(P('proj')),
  ],
  [
    'a path through a symlinked allowed root',
    () => ({ hostPath: join(home, 'linked-root/proj') }),
    'allowed',
    (v) => expect(v.realPath).toBe(P('proj')),
  ],
  [
    'a folder with a colon in its name',
    () => ({ hostPath: P('we:ird') }),
    'allowed',
    (v) => expect(v.containerPath).toBe('/workspace/extra/we-ird'),
  ],
  [
    'a folder whose name starts with a dash',
    () => ({ hostPath: P('-dash') }),
    'allowed',
    (v) => expect(v.containerPath).toBe('/workspace/extra/dash'),
  ],
  [
    'a nested container path',
    () => ({ hostPath: P('proj'), containerPath: 'code/proj' }),
    'allowed',
    (v) => expect(v.containerPath).toBe('/workspace/extra/code/proj'),
  ],
  [
    '~/.ssh itself',
    () => ({ hostPath: join(home, '.ssh') }),
    'blocked_pattern',
    (v) => expect(v.reason).toMatch(/^Path contains blocked pattern "\.ssh"/),
  ],
  ['a key file in ~/.ssh', () => ({ hostPath: join(home, '.ssh/id_rsa') }), 'blocked_pattern'],
  ['~/.aws/credentials', () => ({ hostPath: join(home, '.aws/credentials') }), 'blocked_pattern'],
  ['a case variant (.SSH)', () => ({ hostPath: P('.SSH') }), 'blocked_pattern'],
  ['a suffix variant (Backup.SSH)', () => ({ hostPath: P('Backup.SSH') }), 'blocked_pattern'],
  ['a .env file', () => ({ hostPath: P('proj/.env') }), 'blocked_pattern'],
  ['a .env.local file', () => ({ hostPath: P('proj/.env.local') }), 'blocked_pattern'],
  ['credentials.json', () => ({ hostPath: P('proj/credentials.json') }), 'blocked_pattern'],
  [
    'a user glob pattern (*.pem)',
    () => ({ hostPath: P('proj/server.pem') }),
    'blocked_pattern',
    (v) => expect(v.reason).toContain('"*.pem"'),
  ],
  [
    'a blocked component in the middle',
    () => ({ hostPath: P('proj/.ssh/keys') }),
    'blocked_pattern',
  ],
  [
    '.. that climbs through ~/.ssh',
    () => ({ hostPath: `${projects}/../.ssh/../projects/proj` }),
    'blocked_pattern',
  ],
  [
    'a symlink into ~/.ssh',
    () => ({ hostPath: P('link-to-ssh') }),
    'blocked_pattern',
    (v) =>
      expect(v.reason).toBe(
        `Path contains blocked pattern ".ssh": "${P('link-to-ssh')}" resolves to "${join(home, '.ssh')}", which contains blocked pattern ".ssh".`,
      ),
  ],
  [
    'a symlink chain into ~/.ssh',
    () => ({ hostPath: P('chain1') }),
    'blocked_pattern',
    (v) => expect(v.reason).toContain('resolves to'),
  ],
  [
    'a symlink named innocently pointing at a key',
    () => ({ hostPath: P('proj/src/innocent.txt') }),
    'blocked_pattern',
    (v) => expect(v.realPath).toBe(join(home, '.ssh/id_rsa')),
  ],
  ['a symlink loop', () => ({ hostPath: P('loop-a') }), 'symlink_loop'],
  [
    'a folder outside every root',
    () => ({ hostPath: join(t.path, 'outside/stuff') }),
    'not_under_root',
    (v) => expect(v.reason).toMatch(/^Path not under any allowed root/),
  ],
  [
    '.. that climbs out of the root',
    () => ({ hostPath: `${projects}/../../outside` }),
    'not_under_root',
  ],
  [
    'a prefix trick (app-secrets next to the root app)',
    () => ({ hostPath: join(home, 'work/app-secrets') }),
    'not_under_root',
  ],
  ['the home folder above the root', () => ({ hostPath: home }), 'not_under_root'],
  [
    'a path that does not exist',
    () => ({ hostPath: P('missing') }),
    'not_found',
    (v) => expect(v.reason).toContain('does not exist'),
  ],
  ['a relative host path', () => ({ hostPath: 'projects/proj' }), 'relative_path'],
  ['a Windows path on a POSIX host', () => ({ hostPath: 'C:\\Users\\me' }), 'relative_path'],
  ["another user's home", () => ({ hostPath: '~root/x' }), 'invalid_path'],
  ['an empty path', () => ({ hostPath: '' }), 'invalid_path'],
  ['a newline in the given path', () => ({ hostPath: `${P('proj')}\n/etc` }), 'invalid_path'],
  ['a folder whose name contains a newline', () => ({ hostPath: P('new\nline') }), 'invalid_path'],
  ["aigo's data folder", () => ({ hostPath: dataDir }), 'protected'],
  [
    "a file in aigo's data folder",
    () => ({ hostPath: join(dataDir, 'settings.json') }),
    'protected',
  ],
  ['the Docker socket', () => ({ hostPath: runtimeSocket }), 'protected'],
  [
    'a container path with ..',
    () => ({ hostPath: P('proj'), containerPath: '../escape' }),
    'invalid_container_path',
  ],
  [
    'a container path with a colon',
    () => ({ hostPath: P('proj'), containerPath: 'a:/etc' }),
    'invalid_container_path',
  ],
  [
    'a container path starting with -',
    () => ({ hostPath: P('proj'), containerPath: '-v' }),
    'invalid_container_path',
  ],
  [
    'an absolute container path',
    () => ({ hostPath: P('proj'), containerPath: '/etc' }),
    'invalid_container_path',
  ],
  [
    'a container path with a control character',
    () => ({ hostPath: P('proj'), containerPath: 'x\ty' }),
    'invalid_container_path',
  ],
  [
    'read-write for main on a read-write root',
    () => ({ hostPath: P('proj'), readonly: false, group: 'main' }),
    'allowed',
    (v) => expect(v.readonly).toBe(false),
  ],
  [
    'read-write for another group (non-main read-only)',
    () => ({ hostPath: P('proj'), readonly: false, group: 'family' }),
    'allowed',
    (v) => {
      expect(v.readonly).toBe(true);
      expect(v.reason).toContain('outside the main group');
    },
  ],
  [
    'read-write on a read-only root',
    () => ({ hostPath: join(home, 'work/app'), readonly: false }),
    'allowed',
    (v) => {
      expect(v.readonly).toBe(true);
      expect(v.reason).toContain('does not allow read-write');
    },
  ],
];

describe('mount validation: the hostile corpus', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', async (_name, request, code, extra) => {
    const verdict = await service.validate(request(), 'user');
    expect(verdict.code).toBe(code);
    expect(verdict.allowed).toBe(code === 'allowed');
    if (!verdict.allowed) expect(verdict.fix.length + verdict.reason.length).toBeGreaterThan(0);
    extra?.(verdict);
  });
});

describe('masking', () => {
  it('lists blocked entries at any depth and hides aigo data inside a mount', async () => {
    const v = await service.validate({ hostPath: projects }, 'user');
    const masked = v.masked.map((m) => `${m.kind}:${m.path}`).sort();
    expect(masked).toEqual(
      [
        'directory:.SSH',
        'directory:Backup.SSH',
        'directory:aigo-data',
        'directory:proj/.ssh',
        'file:proj/.env',
        'file:proj/.env.local',
        'file:proj/credentials.json',
        'file:proj/deep/a/b/.env',
        'file:proj/server.pem',
        'file:sockets/docker.sock',
      ].sort(),
    );
    expect(v.reason).toContain('hidden from the agent');
  });

  it('matches variants but not innocent names', () => {
    expect(componentMatches('.env.production', '.env')).toBe(true);
    expect(componentMatches('prod.env', '.env')).toBe(true);
    expect(componentMatches('id_rsa.pub', 'id_rsa')).toBe(true);
    expect(componentMatches('aws_credentials', 'credentials')).toBe(true);
    expect(componentMatches('environment', '.env')).toBe(false);
    expect(componentMatches('envoy', '.env')).toBe(false);
    expect(componentMatches('sshd_config', '.ssh')).toBe(false);
  });
});

describe('container start', () => {
  it('refuses a symlink swapped into ~/.ssh after it was validated, as a violation', async () => {
    const link = P('swap-me');
    await symlink('proj', link);
    expect((await service.validate({ hostPath: link }, 'user')).allowed).toBe(true);
    await rm(link);
    await symlink('../.ssh', link);
    const error = await service
      .prepareMounts([{ hostPath: link, group: 'family' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('FORBIDDEN');
    expect((error as AppError).message).toContain('resolves to');
    const [entry] = (
      await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'violation' }))
    ).entries;
    expect(entry).toMatchObject({
      group: 'family',
      details: { code: 'blocked_pattern', source: 'config' },
    });
  });

  it('mounts the real path, not the symlink, with a placeholder over each masked entry', async () => {
    const { mounts } = await service.prepareMounts([{ hostPath: P('current'), readonly: false }]);
    expect(mounts[0]).toEqual({
      Type: 'bind',
      Source: P('proj'),
      Target: '/workspace/extra/current',
      ReadOnly: false,
    });
    const targets = mounts
      .slice(1)
      .map((m) => m.Target)
      .sort();
    expect(targets).toEqual([
      '/workspace/extra/current/.env',
      '/workspace/extra/current/.env.local',
      '/workspace/extra/current/.ssh',
      '/workspace/extra/current/credentials.json',
      '/workspace/extra/current/deep/a/b/.env',
      '/workspace/extra/current/server.pem',
    ]);
    expect(
      mounts.slice(1).every((m) => m.ReadOnly && m.Source.startsWith(join(dataDir, 'mask'))),
    ).toBe(true);
  });
});

describe('a folder too large to check', () => {
  it('is refused at container start, while Test a path explains it', async () => {
    const small = await startMountService({
      dataDir: join(t.path, 'small-data'),
      home,
      auditDir: join(t.path, 'small-audit'),
      maskScan: { maxEntries: 3 },
    });
    await small.service.update({
      allowedRoots: [{ path: projects, allowReadWrite: false, description: '' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
    const tested = await small.service.validate({ hostPath: projects }, 'user');
    expect(tested).toMatchObject({ allowed: true, maskScanIncomplete: true });
    expect(tested.reason).toContain('only part of it was scanned');
    const error = (await small.service
      .prepareMounts([{ hostPath: projects }])
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('Folder too large to check for secrets');
    await small.stop();
  });
});

describe('policy changes', () => {
  it('audits a user rejection as a warning', async () => {
    await service.validate({ hostPath: join(home, '.ssh') }, 'user');
    const [entry] = (
      await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'warning' }))
    ).entries;
    expect(entry?.message).toContain('Path contains blocked pattern ".ssh"');
  });

  it('needs confirmation for a broad root, flags it, and records before/after', async () => {
    const current = service.policy();
    const broad = {
      ...current,
      allowedRoots: [
        ...current.allowedRoots,
        { path: home, allowReadWrite: false, description: 'everything' },
      ],
    };
    const error = await service.update(broad).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('CONFLICT');
    expect((error as AppError).details).toMatchObject({
      broadRoots: [home],
      needsConfirmation: true,
    });
    const view = await service.update({ ...broad, confirmBroad: true });
    expect(view.roots.find((r) => r.path === home)?.broad).toBe(true);
    const [entry] = (
      await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'info' }))
    ).entries;
    expect(entry?.message).toContain('broad root confirmed');
    expect((entry?.details.before as { allowedRoots: unknown[] }).allowedRoots).toHaveLength(2);
    expect((entry?.details.after as { allowedRoots: unknown[] }).allowedRoots).toHaveLength(3);
    await service.update(current);
  });

  it('refuses roots that are blocked, protected, missing or relative', async () => {
    const current = service.policy();
    const tryRoot = (path: string): Promise<AppError> =>
      service
        .update({ ...current, allowedRoots: [{ path, allowReadWrite: false, description: '' }] })
        .then(
          () => {
            throw new Error(`"${path}" was accepted as a root`);
          },
          (e: unknown) => e as AppError,
        );
    expect((await tryRoot(join(home, '.ssh'))).message).toMatch(
      /^Path contains blocked pattern "\.ssh"/,
    );
    expect((await tryRoot(P('link-to-ssh'))).message).toContain('resolves to');
    expect((await tryRoot(dataDir)).message).toContain("aigo's data folder");
    expect((await tryRoot(P('missing'))).message).toContain('does not exist');
    expect((await tryRoot('relative/dir')).message).toContain('absolute');
    expect(service.policy()).toEqual(current);
  });

  it('keeps a root that went missing (an unplugged drive) while the rest of the policy changes', async () => {
    const current = service.policy();
    const drive = join(t.path, 'usb-drive');
    await mkdir(drive);
    await service.update({
      ...current,
      allowedRoots: [
        ...current.allowedRoots,
        { path: drive, allowReadWrite: false, description: 'USB' },
      ],
    });
    await rm(drive, { recursive: true });
    const view = await service.update({ ...service.policy(), nonMainReadOnly: false });
    expect(view.policy.nonMainReadOnly).toBe(false);
    expect(view.roots.find((r) => r.path === drive)).toMatchObject({ exists: false });
    await service.update(current);
  });

  it('applies a new pattern at once, without a restart', async () => {
    const current = service.policy();
    expect((await service.validate({ hostPath: P('notes.txt') }, 'user')).allowed).toBe(true);
    await service.update({
      ...current,
      blockedPatterns: [...current.blockedPatterns, 'notes.txt'],
    });
    expect((await service.validate({ hostPath: P('notes.txt') }, 'user')).code).toBe(
      'blocked_pattern',
    );
    await service.update(current);
  });
});
