import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasGitCredentials } from '../../src/main/services/mounts/git-credentials';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import { componentMatches, globMatches } from '../../src/main/services/mounts/patterns';
import { startMountService } from '../helpers/mount-service';
import { tempDir } from '../helpers/temp';

/** A plainly correct (and slow, exponential-free by memo) wildcard matcher to compare against. */
function referenceGlob(glob: string, name: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (g: number, n: number): boolean => {
    const key = `${g},${n}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (g === glob.length) result = n === name.length;
    else if (glob[g] === '*') result = go(g + 1, n) || (n < name.length && go(g, n + 1));
    else result = n < name.length && (glob[g] === '?' || glob[g] === name[n]) && go(g + 1, n + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Seeded, so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('glob matching', () => {
  it('agrees with a reference matcher on 20,000 random patterns and names', () => {
    const random = prng(20261129);
    const pick = (alphabet: string, max: number) =>
      Array.from({ length: Math.floor(random() * (max + 1)) }, () =>
        alphabet.charAt(Math.floor(random() * alphabet.length)),
      ).join('');
    for (let i = 0; i < 20_000; i++) {
      const glob = pick('ab*?.', 10);
      const name = pick('ab.', 14);
      expect(globMatches(glob, name), `glob "${glob}" name "${name}"`).toBe(
        referenceGlob(glob, name),
      );
    }
  });

  it('answers a pathological pattern on a long name without hanging', () => {
    const name = `${'a'.repeat(300)}c`;
    expect(componentMatches(name, '*a*a*a*a*a*a*b')).toBe(false);
    expect(componentMatches(name, '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c')).toBe(true);
    expect(componentMatches('x'.repeat(100_000), `${'*x'.repeat(49)}y`)).toBe(false);
  });
});

describe('built-in patterns, NFC and git credentials through the service', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let stop: () => Promise<void>;
  let proj: string;

  beforeAll(async () => {
    t = await tempDir('aigo-patterns-');
    proj = join(t.path, 'projects/proj');
    await mkdir(join(proj, 'sub'), { recursive: true });
    ({ service, stop } = await startMountService({
      dataDir: join(t.path, 'data'),
      home: join(t.path, 'home'),
      auditDir: join(t.path, 'audit'),
    }));
    await service.update({
      allowedRoots: [{ path: join(t.path, 'projects'), allowReadWrite: false, description: '' }],
      // Typed composed (NFC); the file below is named decomposed (NFD), as macOS stores it.
      blockedPatterns: ['caf\u00e9-keys', '*a*a*a*a*a*a*b'],
      nonMainReadOnly: true,
    });
  });
  afterAll(async () => {
    await stop();
    await t.cleanup();
  });

  it.each([
    '.envrc',
    '.pgpass',
    '.git-credentials',
    'secrets.yaml',
    'secrets.json',
    'secrets.toml',
    'tls.pem',
    'server.key',
    'cert.p12',
    'cert.pfx',
    'application_default_credentials.json',
    'access_tokens.db',
    '.terraformrc',
    '.vault-token',
  ])('blocks %s', async (name) => {
    await writeFile(join(proj, 'sub', name), 'secret');
    try {
      const verdict = await service.validate({ hostPath: join(proj, 'sub', name) }, 'user');
      expect(verdict.code).toBe('blocked_pattern');
      const folder = await service.validate({ hostPath: proj }, 'user');
      expect(folder.masked.map((m) => m.path)).toContain(`sub/${name}`);
    } finally {
      await rm(join(proj, 'sub', name));
    }
  });

  it('blocks the real gcloud and gh locations, which span two folder names', async () => {
    for (const d of ['.config/gcloud', '.config/gh'])
      await mkdir(join(proj, d), { recursive: true });
    await writeFile(join(proj, '.config/gh/hosts.yml'), 'oauth_token: x');
    await writeFile(join(proj, '.config/settings.json'), '{}');
    try {
      const masked = (await service.validate({ hostPath: proj }, 'user')).masked.map((m) => m.path);
      expect(masked).toEqual(expect.arrayContaining(['.config/gcloud', '.config/gh/hosts.yml']));
      expect(masked).not.toContain('.config/settings.json');
      expect(
        (await service.validate({ hostPath: join(proj, '.config/gcloud') }, 'user')).code,
      ).toBe('blocked_pattern');
    } finally {
      await rm(join(proj, '.config'), { recursive: true });
    }
  });

  it('matches a user pattern typed in NFC against a name stored in NFD', async () => {
    const decomposed = join(proj, 'cafe\u0301-keys');
    await mkdir(decomposed);
    try {
      expect((await service.validate({ hostPath: decomposed }, 'user')).code).toBe(
        'blocked_pattern',
      );
      const masked = (await service.validate({ hostPath: proj }, 'user')).masked.map((m) => m.path);
      expect(masked).toContain('cafe\u0301-keys');
    } finally {
      await rm(decomposed, { recursive: true });
    }
  });

  it('keeps working with a pathological saved pattern and a 300-character name', async () => {
    const long = join(proj, `${'a'.repeat(250)}c`);
    await writeFile(long, 'x');
    try {
      expect((await service.validate({ hostPath: long }, 'user')).allowed).toBe(true);
    } finally {
      await rm(long);
    }
  });
});

describe('git credentials in a config', () => {
  it.each([
    ['url = https://me:tok3n@github.com/me/repo.git', true],
    ['url = https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/me/r', true],
    ['url = https://x-access-token:abc@github.com/me/r', true],
    ['url = https://oauth2:glpat-xyz@gitlab.com/me/r', true],
    ['\textraheader = AUTHORIZATION: basic eC1hY2Nlc3M=', true],
    ['pushurl = "https://u:p@host/r"', true],
    ['url = ssh://git@github.com/me/repo.git', false],
    ['url = git@github.com:me/repo.git', false],
    ['url = https://me@dev.azure.com/org/repo', false],
    ['url = https://github.com/me/repo.git', false],
  ])('%s → %s', (line, expected) => {
    expect(hasGitCredentials(`[remote "origin"]\n${line}\n`)).toBe(expected);
  });
});
