import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { runContainer } from '../helpers/docker-run';
import { startMountService } from '../helpers/mount-service';
import { ensureNodeBaseImage } from '../helpers/node-base-image';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());
const isRoot = process.getuid?.() === 0;

/**
 * What lies inside an allowed folder, seen from a real uid-1000 container: sockets, FIFOs and
 * device nodes, secrets deeper than any fixed depth, hard links to the user's keys, the newer
 * secret file names and a git remote with a token in it. None of it may reach the agent.
 */
describe.runIf(runDocker)('containment inside an allowed folder (real container)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let audit: AuditLog;
  let image: string;
  let proj: string;
  const servers: Server[] = [];

  const secretServer = (path: string, answer: string): Promise<void> => {
    const server = createServer((socket) => socket.end(answer));
    servers.push(server);
    return new Promise((resolve) => server.listen(path, resolve));
  };

  beforeAll(async () => {
    image = ensureNodeBaseImage();
    t = await tempDir('aigo-contain-');
    await chmod(t.path, 0o755);
    const home = join(t.path, 'home');
    proj = join(t.path, 'projects/proj');
    for (const d of [
      join(home, '.ssh'),
      join(home, '.aws'),
      join(proj, 'a/b/c/d'),
      join(proj, '.config/gcloud'),
      join(proj, '.config/gh'),
      join(proj, 'repo/.git'),
      join(t.path, 'data'),
    ])
      await mkdir(d, { recursive: true });
    const files: [string, string][] = [
      [join(home, '.ssh/id_rsa'), 'SSH-PRIVATE-KEY-HOME'],
      [join(home, '.aws/credentials'), 'AWS-SECRET-HOME'],
      [join(proj, 'readme.txt'), 'visible'],
      [join(proj, 'a/b/c/.env'), 'DEEP-SECRET-3'],
      [join(proj, 'a/b/c/d/.env'), 'DEEP-SECRET-4'],
      [join(proj, '.envrc'), 'ENVRC-SECRET'],
      [join(proj, '.pgpass'), 'PGPASS-SECRET'],
      [join(proj, '.git-credentials'), 'GITCRED-SECRET'],
      [join(proj, 'secrets.yaml'), 'SECRETS-YAML'],
      [join(proj, 'server.key'), 'TLS-KEY-SECRET'],
      [join(proj, 'cert.p12'), 'P12-SECRET'],
      [join(proj, '.vault-token'), 'VAULT-SECRET'],
      [join(proj, '.terraformrc'), 'TERRAFORM-SECRET'],
      [join(proj, '.config/gcloud/access_tokens.db'), 'GCLOUD-SECRET'],
      [join(proj, '.config/gh/hosts.yml'), 'GH-HOSTS-SECRET'],
      [
        join(proj, 'repo/.git/config'),
        '[remote "origin"]\n\turl = https://me:GIT-URL-TOKEN@example.com/me/repo.git\n',
      ],
      [join(proj, 'repo/.git/HEAD'), 'ref: refs/heads/main\n'],
    ];
    for (const [f, c] of files) await writeFile(f, c);
    // A hard link inside the project to the user's key and to their AWS credentials.
    await link(join(home, '.ssh/id_rsa'), join(proj, 'notes-backup.txt'));
    await link(join(home, '.aws/credentials'), join(proj, 'a/b/c/d/data.csv'));
    // An ssh-agent style socket in the project, and the engine's socket hard-linked into it.
    await secretServer(join(proj, 'agent.sock'), 'AGENT-KEYS');
    const engineSocket = join(t.path, 'data/engine.sock');
    await secretServer(engineSocket, 'ENGINE-API');
    await link(engineSocket, join(proj, 'a/b/innocent'));
    execFileSync('mkfifo', [join(proj, 'a/pipe')]);
    if (isRoot) execFileSync('mknod', [join(proj, 'a/b/null-dev'), 'c', '1', '3']);
    // The container runs as uid 1000: let it into every folder (not that it should find much).
    execFileSync('chmod', ['-R', 'a+rwX', join(t.path, 'projects'), home]);
    await chmod(join(proj, 'agent.sock'), 0o777);
    await chmod(join(proj, 'a/b/innocent'), 0o777);
    await symlink('../proj', join(t.path, 'projects/proj-link'));

    ({ service, audit } = await startMountService({
      dataDir: join(t.path, 'data'),
      home,
      auditDir: join(t.path, 'audit'),
      runtimeSocket: engineSocket,
    }));
    await service.update({
      allowedRoots: [{ path: join(t.path, 'projects'), allowReadWrite: true, description: '' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    await audit?.stop();
    await t?.cleanup();
  });

  const probe = [
    'cd /workspace/extra/proj',
    'for f in readme.txt a/b/c/.env a/b/c/d/.env .envrc .pgpass .git-credentials secrets.yaml server.key cert.p12 .vault-token .terraformrc .config/gcloud/access_tokens.db .config/gh/hosts.yml repo/.git/config notes-backup.txt a/b/c/d/data.csv; do echo "$f=[$(cat $f 2>/dev/null)]"; done',
    'for f in agent.sock a/b/innocent a/pipe a/b/null-dev; do if [ -S $f ]; then echo "$f is a socket"; elif [ -p $f ]; then echo "$f is a fifo"; elif [ -c $f ]; then echo "$f is a device"; else echo "$f is inert"; fi; done',
    `node -e 'for (const p of ["agent.sock","a/b/innocent"]) { const s = require("net").connect(p); s.on("data", d => console.log(p + " answered " + d)); s.on("error", e => console.log(p + " refused " + e.code)); }'`,
  ].join('; ');

  it('gives the agent no socket, FIFO, device node, deep secret, hard-linked key or token', async () => {
    const { mounts, verdicts } = await service.prepareMounts([
      { hostPath: proj, group: 'main', readonly: true },
    ]);
    const result = await runContainer(image, probe, { Mounts: mounts });
    const out = result.stdout;
    expect(out).toContain('readme.txt=[visible]');
    for (const secret of [
      'DEEP-SECRET',
      'ENVRC',
      'PGPASS',
      'GITCRED',
      'SECRETS-YAML',
      'TLS-KEY',
      'P12-SECRET',
      'VAULT',
      'TERRAFORM',
      'GCLOUD',
      'GH-HOSTS',
      'GIT-URL-TOKEN',
      'SSH-PRIVATE-KEY-HOME',
      'AWS-SECRET-HOME',
      'AGENT-KEYS',
      'ENGINE-API',
    ])
      expect(out, `${secret} reached the container:\n${out}`).not.toContain(secret);
    expect(out).not.toMatch(/is a (socket|fifo|device)/);
    expect(out).toContain('agent.sock is inert');
    // The verdict says what it hid, and why.
    const masked = verdicts[0]?.masked.map((m) => `${m.path}:${m.pattern}`) ?? [];
    expect(masked).toEqual(
      expect.arrayContaining([
        'a/b/c/d/.env:.env',
        'agent.sock:socket',
        'a/pipe:fifo',
        expect.stringMatching(/^notes-backup\.txt:hard link to .*\.ssh/),
        expect.stringMatching(/^a\/b\/c\/d\/data\.csv:hard link to .*\.aws/),
        'repo/.git/config:git credentials',
      ]),
    );
    expect(verdicts[0]?.reason).toContain('token in a git remote URL');
  });

  it('refuses a hard link to a key when it is named directly', async () => {
    const verdict = await service.validate({ hostPath: join(proj, 'notes-backup.txt') }, 'user');
    expect(verdict).toMatchObject({ allowed: false, code: 'hard_link_to_secret' });
    expect(verdict.reason).toContain('.ssh');
  });

  it('shows a git remote token only when the user allows it', async () => {
    await service.update({ ...service.policy(), exposeGitCredentials: true });
    try {
      const { mounts } = await service.prepareMounts([{ hostPath: join(proj, 'repo') }]);
      const result = await runContainer(image, 'cat /workspace/extra/repo/.git/config', {
        Mounts: mounts,
      });
      expect(result.stdout).toContain('GIT-URL-TOKEN');
    } finally {
      await service.update({ ...service.policy(), exposeGitCredentials: false });
    }
  });

  it('leaves the masked host files untouched', async () => {
    await rm(join(proj, 'new.txt'), { force: true });
    const { mounts } = await service.prepareMounts([{ hostPath: proj, readonly: false }]);
    const result = await runContainer(
      image,
      'echo x > /workspace/extra/proj/a/b/c/d/.env 2>/dev/null && echo wrote || echo refused',
      { Mounts: mounts },
    );
    expect(result.stdout).toContain('refused');
  });
});
