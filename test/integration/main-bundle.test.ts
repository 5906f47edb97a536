import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT, startServe } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

function builtFiles(): string[] {
  requireBuild();
  const dir = join(ROOT, 'out/main');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

describe('the built main process', () => {
  it('takes Node built-ins through process.getBuiltinModule, never a static import (issue 17)', () => {
    // An ES import of node:http builds a facade that runs its lazy getters and loads undici.
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    let rewritten = 0;
    for (const file of builtFiles()) {
      const code = readFileSync(file, 'utf8');
      for (const match of code.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm))
        expect(builtins.has(match[1]!), `${file}: ${match[0]}`).toBe(false);
      rewritten += code.match(/process\.getBuiltinModule\("(node:)?http"\)/g)?.length ?? 0;
    }
    expect(rewritten).toBeGreaterThan(0);
  });

  it('loads no engine or domain code before `aigo serve` answers: those parts load after (issue 17)', () => {
    // Every file the serve command's module imports statically, and what those import: what
    // Node reads, compiles and runs before the first request can be answered.
    const chunks = join(ROOT, 'out/main/chunks');
    const serve = readdirSync(chunks).find((f) => /^serve-.*\.js$/.test(f));
    expect(serve).toBeDefined();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s[^;]*?from\s*"(\.[^"]+)"/gm))
        visit(join(dirname(file), m[1]!));
    };
    visit(join(chunks, serve!));
    const code = [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
    const everything = builtFiles()
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(code).toContain('async function createApp(');
    for (const later of [
      'var RuntimeService = class',
      'var CredentialProxyService = class',
      'var ImageService = class',
      'var SessionService = class',
      'var SchedulerService = class',
      'var ChannelService = class',
      'var SquadService = class',
      'var sessionOperations = {',
      'function buildOpenApiDocument(',
    ]) {
      expect(everything, `${later} is in the build`).toContain(later);
      expect(code, `${later} is loaded before the first answer`).not.toContain(later);
    }
  });

  it('runs `aigo --version` without evaluating the app (each command loads on use)', () => {
    requireBuild();
    // What Node had loaded when the command ended: the app's API server would have needed http.
    const report = `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (http|crypto)$/.test(m)))));`;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(report)}`,
        'bin/aigo.js',
        '--version',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.stderr).toContain('LOADED []');
  });

  it('generates no code from strings: neither zod nor the router builds functions with new Function (issue 17)', async () => {
    // Counts every Function built from a string in the served app, and says so at exit.
    const hook = `const F = globalThis.Function; let n = 0;
globalThis.Function = new Proxy(F, { construct(t, a, nt) { n++; return Reflect.construct(t, a, nt); }, apply(t, self, a) { n++; return Reflect.apply(t, self, a); } });
process.on('exit', () => process.stderr.write('CODEGEN ' + n + '\\n'));`;
    const dir = await tempDir();
    try {
      const serve = await startServe(dir.path, {
        NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(hook)}`,
      });
      const token = readFileSync(join(dir.path, 'api-token'), 'utf8').trim();
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      // Settings loaded at start, then a read and a change, each validated by the contract.
      expect((await fetch(`${serve.url}/api/v1/settings`, { headers: auth })).status).toBe(200);
      const change = await fetch(`${serve.url}/api/v1/settings`, {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ advanced: { debugLogging: true } }),
      });
      expect(change.status).toBe(200);
      expect(await serve.stop()).toBe(0);
      expect(serve.output()).toContain('CODEGEN 0');
    } finally {
      await dir.cleanup();
    }
  });

  // XDG_CACHE_HOME places the cache on Linux; macOS and Windows use their own cache folders.
  it.runIf(process.platform === 'linux')(
    "keeps V8's compile cache for the running build only, removing what older builds left",
    async () => {
      requireBuild();
      const cache = await tempDir('aigo-cache-');
      try {
        const root = join(cache.path, 'aigo', 'node-compile-cache');
        mkdirSync(join(root, 'build-1', 'v24-old'), { recursive: true });
        writeFileSync(join(root, 'build-1', 'v24-old', 'entry'), 'stale compiled code');
        const run = spawnSync(process.execPath, ['bin/aigo.js', '--version'], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, XDG_CACHE_HOME: cache.path, NODE_COMPILE_CACHE: '' },
        });
        expect(run.status, run.stderr).toBe(0);
        const builds = readdirSync(root);
        expect(builds).toHaveLength(1);
        expect(builds[0]).toMatch(/^build-\d+$/);
        expect(builds[0]).not.toBe('build-1');
        // Node wrote this run's compiled code there.
        expect(readdirSync(join(root, builds[0]!)).length).toBeGreaterThan(0);
      } finally {
        await cache.cleanup();
      }
    },
  );

  it('is ASCII only, so V8 keeps its source at one byte per character (issue 17)', () => {
    requireBuild();
    const dir = join(ROOT, 'out/main');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    );
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      const at = bytes.findIndex((b) => b > 0x7f);
      expect(
        at,
        `${file}: a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}`,
      ).toBe(-1);
    }
  });
});
