import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, openSync, type Dirent } from 'node:fs';
import { chmod, link, mkdir, open, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasGitCredentials } from '../../src/main/services/mounts/git-credentials';
import {
  DEFAULT_MAX_ENTRIES,
  scanForMasks,
  type MaskScanResult,
} from '../../src/main/services/mounts/mask-scan';
import { isInside } from '../../src/main/services/mounts/path-utils';
import { compilePatterns, normaliseName } from '../../src/main/services/mounts/patterns';
import {
  filesReachableBelow,
  parseMountInfo,
  readMountTable,
  realDeviceOf,
} from '../../src/main/services/mounts/mount-table';
import {
  collectSecretInodes,
  inodeKey,
  secretsOutOfReach,
  type SecretInodes,
} from '../../src/main/services/mounts/secret-inodes';
import { DEFAULT_BLOCKED_PATTERNS, type MaskedEntry } from '../../src/shared/schemas/mounts';
import { tempDir } from '../helpers/temp';

/**
 * The mask scan walks several folders at once and covers a whole large tree. What it finds must
 * be exactly what the plain one-folder-at-a-time walk it replaced found, entry for entry.
 */
const PATTERNS = [...DEFAULT_BLOCKED_PATTERNS, '*.crt'];

/** The sequential scan as it was before the concurrent walk, without its bounds: the oracle. */
async function sequentialScan(
  root: string,
  options: { protectedPaths: readonly string[]; secretInodes?: SecretInodes },
): Promise<MaskScanResult> {
  const result: MaskScanResult = {
    undecodable: [],
    masked: [],
    incomplete: false,
    unreadable: [],
    gitCredentials: [],
  };
  const mask = (full: string, kind: MaskedEntry['kind'], pattern: string): void => {
    result.masked.push({ path: relative(root, full), kind, pattern });
  };
  const protectedInside: { path: string; kind: MaskedEntry['kind'] }[] = [];
  for (const p of options.protectedPaths) {
    if (p === root || !isInside(p, root)) continue;
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => null,
    );
    if (isDir !== null) protectedInside.push({ path: p, kind: isDir ? 'directory' : 'file' });
  }
  for (const p of protectedInside) mask(p.path, p.kind, 'protected');
  const blockedBy = compilePatterns(PATTERNS);
  const walk = async (rel: string[], names: string[]): Promise<void> => {
    const dir = join(root, ...rel);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      result.unreadable.push(rel.join('/') || '.');
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const relPath = [...rel, entry.name];
      if (protectedInside.some((p) => isInside(full, p.path))) continue;
      if (entry.isSymbolicLink()) continue;
      const special = entry.isSocket()
        ? 'socket'
        : entry.isFIFO()
          ? 'fifo'
          : entry.isCharacterDevice() || entry.isBlockDevice()
            ? 'device'
            : null;
      if (special) {
        mask(full, 'file', special);
        continue;
      }
      const components = [...names, normaliseName(entry.name)];
      const pattern = blockedBy(components);
      if (pattern) mask(full, entry.isDirectory() ? 'directory' : 'file', pattern);
      else if (entry.isDirectory()) await walk(relPath, components);
      else {
        const info = lstatSync(full);
        const secret = options.secretInodes?.get(inodeKey(info.dev, info.ino));
        if (secret) mask(full, 'file', `hard link to ${secret}`);
        else if (entry.name === 'config' && rel.includes('.git')) {
          const handle = await open(full, 'r');
          const text = (await handle.readFile()).toString('utf8');
          await handle.close();
          if (hasGitCredentials(text)) {
            result.gitCredentials.push(relPath.join('/'));
            mask(full, 'file', 'git credentials');
          }
        }
      }
    }
  };
  await walk([], root.split(sep).filter(Boolean).map(normaliseName));
  return result;
}

/** Seeded, so a failure names a tree that can be rebuilt. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sorted = (r: MaskScanResult) => ({
  masked: r.masked.map((m) => `${m.kind}:${m.path}:${m.pattern}`).sort(),
  gitCredentials: [...r.gitCredentials].sort(),
  unreadable: [...r.unreadable].sort(),
});

let t: Awaited<ReturnType<typeof tempDir>>;
const servers: Server[] = [];

beforeAll(async () => {
  t = await tempDir('aigo-mask-scan-');
});
afterAll(async () => {
  for (const s of servers) s.close();
  await t.cleanup();
});

describe('the concurrent mask scan', () => {
  let root: string;
  let home: string;
  let dataDir: string;
  let secrets: SecretInodes;

  beforeAll(async () => {
    home = join(t.path, 'home');
    root = join(t.path, 'projects');
    dataDir = join(root, 'team/aigo-data');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await mkdir(join(home, '.aws'), { recursive: true });
    await writeFile(join(home, '.ssh/id_ed25519'), 'KEY');
    await writeFile(join(home, '.aws/credentials'), 'AWS');
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    await writeFile(join(dataDir, 'api-token'), 'token');

    // A random tree six levels deep: plain files and folders, with secrets sprinkled at every
    // depth — blocked names, a blocked folder with content, a socket, a FIFO, hard links to the
    // user's keys, git configs with and without a token, symlinks to secrets.
    const random = prng(20260705);
    const plain = ['readme.md', 'index.ts', 'data.csv', 'notes.txt', 'environment', 'config'];
    const risky = [
      '.env',
      '.env.local',
      'prod.env',
      'id_rsa.pub',
      'server.pem',
      'cert.CRT',
      'aws_credentials',
      'secrets.json',
      '.npmrc',
      'Backup.SSH',
    ];
    let folders = 0;
    const fill = async (dir: string, depth: number): Promise<void> => {
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < 4 + Math.floor(random() * 6); i++)
        await writeFile(join(dir, `${plain[i % plain.length]}${i >= plain.length ? i : ''}`), 'x');
      if (random() < 0.5)
        await writeFile(join(dir, risky[Math.floor(random() * risky.length)]!), 's');
      if (random() < 0.1) await symlink(join(home, '.ssh'), join(dir, `ssh-link-${folders}`));
      if (random() < 0.08)
        await link(join(home, '.ssh/id_ed25519'), join(dir, `key-${folders}.bak`));
      if (random() < 0.08)
        await link(join(home, '.aws/credentials'), join(dir, `aws-${folders}.txt`));
      if (random() < 0.06) execFileSync('mkfifo', [join(dir, `pipe-${folders}`)]);
      if (random() < 0.05) {
        await mkdir(join(dir, '.ssh/keys'), { recursive: true });
        await writeFile(join(dir, '.ssh/keys/id_rsa'), 'K');
      }
      if (random() < 0.06) {
        await mkdir(join(dir, 'repo/.git/modules/sub'), { recursive: true });
        await writeFile(
          join(dir, 'repo/.git/config'),
          random() < 0.5
            ? '[remote "origin"]\n\turl = https://me:tok@example.com/r.git\n'
            : '[remote "origin"]\n\turl = git@example.com:r.git\n',
        );
        await writeFile(
          join(dir, 'repo/.git/modules/sub/config'),
          '[http]\n\textraheader = AUTHORIZATION: basic abc\n',
        );
      }
      folders++;
      if (depth >= 6) return;
      for (let i = 0; i < 1 + Math.floor(random() * 3); i++)
        await fill(join(dir, `d${depth}-${i}`), depth + 1);
    };
    await fill(join(root, 'a'), 1);
    await fill(join(root, 'b'), 1);
    await mkdir(join(root, '.config/gcloud'), { recursive: true });
    await writeFile(join(root, '.config/gcloud/access_tokens.db'), 'x');
    await mkdir(join(root, 'x/gh'), { recursive: true });
    await writeFile(join(root, 'x/gh/hosts.yml'), 'x');
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(root, 'a/agent.sock'), resolve));
    secrets = await collectSecretInodes(home, [dataDir]);
  }, 60_000);

  it('finds exactly what the sequential walk finds, at every depth', async () => {
    const options = { protectedPaths: [dataDir], secretInodes: secrets };
    const expected = sorted(await sequentialScan(root, options));
    const found = await scanForMasks(root, { patterns: PATTERNS, ...options });
    expect(found.incomplete).toBe(false);
    expect(sorted(found)).toEqual(expected);
    // The tree really has secrets several folders down, of every kind.
    const byKind = (p: string) => expected.masked.filter((m) => m.includes(p)).length;
    expect(byKind(':socket')).toBe(1);
    expect(byKind(':fifo')).toBeGreaterThan(0);
    expect(byKind(':hard link to ~/.ssh/id_ed25519')).toBeGreaterThan(0);
    expect(byKind(':hard link to ~/.aws/credentials')).toBeGreaterThan(0);
    expect(byKind(':git credentials')).toBeGreaterThan(1);
    expect(byKind('directory:team/aigo-data:protected')).toBe(1);
    expect(expected.masked.some((m) => m.split('/').length >= 6)).toBe(true);
  });

  it('finds the same at every concurrency, one folder at a time included', async () => {
    const options = { protectedPaths: [dataDir], secretInodes: secrets };
    const expected = sorted(await sequentialScan(root, options));
    for (const concurrency of [1, 2, 3, 16]) {
      const found = await scanForMasks(root, { patterns: PATTERNS, ...options, concurrency });
      expect(sorted(found), `concurrency ${concurrency}`).toEqual(expected);
    }
  });

  it('finds the same however many entries it lists synchronously first', async () => {
    // 7 cuts the listing of a folder in two: the rest comes from a second, usual listing.
    const options = { protectedPaths: [dataDir], secretInodes: secrets };
    const expected = sorted(await sequentialScan(root, options));
    for (const syncListingEntries of [0, 1, 7, 100_000]) {
      const found = await scanForMasks(root, {
        patterns: PATTERNS,
        ...options,
        syncListingEntries,
      });
      expect(sorted(found), `${syncListingEntries} listed synchronously`).toEqual(expected);
    }
  });

  it('lists entries in a stable order, whatever order the folders were read in', async () => {
    const options = { patterns: PATTERNS, protectedPaths: [dataDir], secretInodes: secrets };
    const one = await scanForMasks(root, { ...options, concurrency: 1 });
    const many = await scanForMasks(root, { ...options, concurrency: 8 });
    expect(many.masked).toEqual(one.masked);
  });

  it('masks a hard link to a secret whatever the secret inodes say about other links', async () => {
    // A plain map (no link counts known) makes the scan look at every file.
    const plainMap: SecretInodes = new Map(secrets);
    const options = { protectedPaths: [dataDir], secretInodes: plainMap };
    const found = await scanForMasks(root, { patterns: PATTERNS, ...options });
    expect(sorted(found)).toEqual(sorted(await sequentialScan(root, options)));
  });

  it('still stops at its entry bound, and says so', async () => {
    const found = await scanForMasks(root, {
      patterns: PATTERNS,
      protectedPaths: [],
      maxEntries: 20,
    });
    expect(found.incomplete).toBe(true);
  });

  it('still stops at its time bound, and says so', async () => {
    const found = await scanForMasks(root, {
      patterns: PATTERNS,
      protectedPaths: [],
      timeBudgetMs: 0,
    });
    expect(found.incomplete).toBe(true);
  });

  it('reports a folder it cannot list, with the others still scanned', async () => {
    if (process.getuid?.() === 0) return; // root lists anything (mount-unreadable covers it)
    const locked = join(root, 'b/locked');
    await mkdir(locked);
    await writeFile(join(locked, '.env'), 'x');
    await chmod(locked, 0o311);
    try {
      const found = await scanForMasks(root, { patterns: PATTERNS, protectedPaths: [] });
      expect(found.unreadable).toEqual(['b/locked']);
      expect(found.masked.length).toBeGreaterThan(10);
    } finally {
      await chmod(locked, 0o755);
    }
  });
});

describe('a large scan that need not identify every file', () => {
  let home: string;
  let project: string;
  let secrets: SecretInodes;
  const linux = process.platform === 'linux';

  beforeAll(async () => {
    // Keys with one name each, and a project of 1,200 files (past the first thousand, the
    // scan asks whether it may stop identifying them).
    home = join(t.path, 'lone-home');
    project = join(t.path, 'lone-projects/app');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await mkdir(join(home, '.password-store'), { recursive: true });
    await writeFile(join(home, '.ssh/id_ed25519'), 'KEY');
    await writeFile(join(home, '.password-store/bank.txt'), 'PIN');
    for (let a = 0; a < 12; a++) {
      const dir = join(project, `pkg${a}`, 'src');
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) closeSync(openSync(join(dir, `f${f}.ts`), 'w'));
    }
    await writeFile(join(project, 'pkg3/.env'), 'x');
    secrets = await collectSecretInodes(home, []);
  });

  const both = async (root: string) => {
    const options = { protectedPaths: [], secretInodes: secrets };
    return {
      expected: sorted(await sequentialScan(root, options)),
      found: sorted(
        await scanForMasks(root, { patterns: PATTERNS, ...options, identifyEachUpTo: 0 }),
      ),
    };
  };

  it.runIf(linux)(
    'knows the keys are out of reach of the project, and finds the same',
    async () => {
      expect(secretsOutOfReach(secrets, project, readMountTable())).toBe(true);
      const { expected, found } = await both(project);
      expect(found).toEqual(expected);
      expect(found.masked).toEqual(['file:pkg3/.env:.env']);
    },
  );

  it('still masks the key files themselves when the scan reaches them', async () => {
    expect(secretsOutOfReach(secrets, t.path, readMountTable())).toBe(false);
    const { expected, found } = await both(t.path);
    expect(found).toEqual(expected);
    expect(found.masked).toContain(
      'file:lone-home/.password-store/bank.txt:hard link to ~/.password-store/bank.txt',
    );
  });

  it('masks a hard link made since the keys were collected', async () => {
    const linked = join(project, 'pkg7/src/notes.txt');
    await link(join(home, '.password-store/bank.txt'), linked);
    try {
      expect(secretsOutOfReach(secrets, project, readMountTable())).toBe(false);
      const { expected, found } = await both(project);
      expect(found).toEqual(expected);
      expect(found.masked).toContain(
        'file:pkg7/src/notes.txt:hard link to ~/.password-store/bank.txt',
      );
    } finally {
      await rm(linked);
    }
  });

  it('identifies every file where it cannot tell (no mount table, unknown paths)', () => {
    expect(secretsOutOfReach(secrets, project, null)).toBe(false);
    expect(secretsOutOfReach(new Map(secrets), project, readMountTable())).toBe(false);
  });
});

describe('the mount table', () => {
  const table = parseMountInfo(
    [
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw',
      '50 27 254:1 / /media/usb\\040disk rw,relatime - ext4 /dev/vdb rw',
      '51 27 254:0 /home/me /srv/share/me rw,relatime - ext4 /dev/vda rw',
      '52 27 0:60 / /srv/merged rw,relatime - overlay overlay rw,lowerdir=/home',
    ].join('\n'),
  );
  const keys = ['/home/me/.ssh/id_ed25519'];

  it('reads escaped paths and file system types', () => {
    expect(table[3]).toEqual({
      device: '254:1',
      root: '/',
      point: '/media/usb disk',
      type: 'ext4',
    });
  });

  it('tells which views a walk goes through', () => {
    // A project beside the home folder, with another view of the disk elsewhere: out of reach.
    expect(filesReachableBelow(table, '/home/me/projects', keys)).toBe(false);
    expect(filesReachableBelow(table, '/media/usb disk/work', keys)).toBe(false);
    // The home folder itself, or a folder containing it.
    expect(filesReachableBelow(table, '/home', keys)).toBe(true);
    // A bind mount of the home folder, walked into from above or from inside.
    expect(filesReachableBelow(table, '/srv', keys)).toBe(true);
    expect(filesReachableBelow(table, '/srv/share/me/.ssh', keys)).toBe(true);
    // A union file system can show any file: reachable, whatever it shows.
    expect(filesReachableBelow(table, '/srv/merged/x', keys)).toBe(true);
    // Not in the table at all.
    expect(filesReachableBelow([], '/home/me/projects', keys)).toBe(true);
  });

  it('does not trust a view the device says is not the one showing the path', () => {
    // A mount covered by a later mount over a folder above it stays in the table: the path is
    // then on another device than its deepest mount point says, and counts as reachable.
    const onDevice = (device: string) => () => device;
    expect(filesReachableBelow(table, '/home/me/projects', keys, onDevice('254:0'))).toBe(false);
    expect(filesReachableBelow(table, '/home/me/projects', keys, onDevice('254:7'))).toBe(true);
    const keyElsewhere = (path: string) => (path.includes('.ssh') ? '0:99' : '254:0');
    expect(filesReachableBelow(table, '/home/me/projects', keys, keyElsewhere)).toBe(true);
  });

  it.runIf(process.platform === 'linux')("reads a path's device as mountinfo writes it", () => {
    const mounts = readMountTable() ?? [];
    const proc = mounts.find((m) => m.point === '/proc');
    expect(proc).toBeDefined();
    expect(realDeviceOf('/proc')).toBe(proc?.device);
    expect(realDeviceOf('/no/such/path')).toBeNull();
  });
});

describe('the bounds of the scan', () => {
  let root: string;
  /** 4 folders of 250 files, one .env each, under one folder: 1,005 entries. */
  const ENTRIES = 1 + 4 + 4 * 250;

  beforeAll(() => {
    root = join(t.path, 'wide');
    for (let a = 0; a < 4; a++) {
      const dir = join(root, 'top', `pkg${a}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 250; f++)
        closeSync(openSync(join(dir, f === 249 ? '.env.production' : `f${f}.ts`), 'w'));
    }
  });

  const scan = (options: {
    maxEntries?: number;
    concurrency?: number;
    syncListingEntries?: number;
  }) =>
    scanForMasks(root, {
      patterns: PATTERNS,
      protectedPaths: [],
      timeBudgetMs: 120_000,
      ...options,
    });

  it('covers a tree of exactly as many entries as its bound, and no more', async () => {
    for (const concurrency of [1, 4]) {
      const whole = await scan({ maxEntries: ENTRIES, concurrency });
      expect(whole.incomplete).toBe(false);
      expect(whole.masked.map((m) => m.path)).toEqual(
        [0, 1, 2, 3].map((a) => `top/pkg${a}/.env.production`),
      );
      expect((await scan({ maxEntries: ENTRIES - 1, concurrency })).incomplete).toBe(true);
    }
  });

  it('by default covers trees far larger than 110,000 entries', () => {
    // The whole tree of a large repository: scanned, not cut off at 100,000 entries (the
    // integration test mount-large-tree scans a real tree of 111,100).
    expect(DEFAULT_MAX_ENTRIES).toBeGreaterThanOrEqual(1_000_000);
  });

  it('lets the event loop run while it scans', async () => {
    let turns = 0;
    let scanning = true;
    const spin = (): void => {
      turns++;
      if (scanning) setImmediate(spin);
    };
    setImmediate(spin);
    // Every folder listed on the thread pool (a small folder may be listed synchronously, and
    // which ones are depends on the file system's folder sizes): each listing is a turn.
    const found = await scan({ concurrency: 1, syncListingEntries: 0 });
    scanning = false;
    expect(found.incomplete).toBe(false);
    // A turn at least between the folders' listings, and within a large folder.
    expect(turns).toBeGreaterThanOrEqual(5);
  });
});

describe('git configs outside a .git folder', () => {
  const CONFIG = '[remote "origin"]\n\turl = https://me:tok@example.com/r.git\n';

  it("masks a bare repository's config, and the config of a mounted .git folder", async () => {
    const root = join(t.path, 'git-folders');
    await mkdir(join(root, 'backup.git'), { recursive: true });
    await writeFile(join(root, 'backup.git/config'), CONFIG);
    await mkdir(join(root, 'notes'), { recursive: true });
    await writeFile(join(root, 'notes/config'), CONFIG); // not a repository's: left alone
    const found = await scanForMasks(root, { patterns: PATTERNS, protectedPaths: [] });
    expect(found.gitCredentials).toEqual(['backup.git/config']);
    expect(found.masked.map((m) => `${m.path}:${m.pattern}`)).toEqual([
      'backup.git/config:git credentials',
    ]);

    const repo = join(t.path, 'repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await writeFile(join(repo, '.git/config'), CONFIG);
    const dotGit = await scanForMasks(join(repo, '.git'), { patterns: [], protectedPaths: [] });
    expect(dotGit.masked.map((m) => `${m.path}:${m.pattern}`)).toEqual(['config:git credentials']);
  });
});
