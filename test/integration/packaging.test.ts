import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContext, locateContext } from '../../src/main/services/image/build-context';

/**
 * electron-builder's configuration, proved without the Electron download this machine cannot
 * make: the `dir` target on Linux against a stand-in Electron distribution (a folder with a stub
 * executable), then the unpacked app is checked as a user would receive it.
 */
const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
let work: string;
let unpacked: string;
let files: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'aigo-packaging-'));
  const stub = join(work, 'electron-dist');
  await mkdir(join(stub, 'resources'), { recursive: true });
  await writeFile(join(stub, 'electron'), '#!/bin/sh\necho "stand-in Electron"\n');
  await chmod(join(stub, 'electron'), 0o755);
  await writeFile(join(stub, 'LICENSE'), 'stand-in');
  await run(
    process.execPath,
    [
      join(root, 'node_modules/electron-builder/cli.js'),
      '--linux',
      'dir',
      '--publish',
      'never',
      `-c.electronDist=${stub}`,
      `-c.directories.output=${join(work, 'dist')}`,
    ],
    { cwd: root, timeout: 240_000, env: { ...process.env, CI: 'true' } },
  );
  unpacked = join(work, 'dist', 'linux-unpacked');
  files = asar.listPackage(join(unpacked, 'resources', 'app.asar'), { isPack: false });
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packaged app (electron-builder --linux dir, stand-in Electron)', () => {
  it('is one executable named after the product, with the app in an asar', async () => {
    expect((await stat(join(unpacked, 'aigo'))).mode & 0o111).not.toBe(0);
    expect(files.length).toBeGreaterThan(100);
  });

  it('holds the built main, preload and renderer, and no sources, tests, maps or dev tools', () => {
    for (const needed of ['/out/main/index.js', '/out/main/cli.js', '/out/preload/index.cjs'])
      expect(files).toContain(needed);
    expect(files).toContain('/out/renderer/index.html');
    const own = files.filter((f) => !f.startsWith('/node_modules/'));
    expect(own.filter((f) => /^\/(src|test|e2e|bench|scripts|resources|docs)\b/.test(f))).toEqual(
      [],
    );
    expect(
      files.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
    const modules = new Set(
      files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]),
    );
    for (const devOnly of [
      'electron',
      'vitest',
      'typescript',
      'vite',
      'eslint',
      'react',
      'playwright-core',
      'electron-builder',
    ])
      expect(modules.has(devOnly), devOnly).toBe(false);
    expect(modules.has('dockerode')).toBe(true);
  });

  it('carries a package.json with the runtime dependencies only', async () => {
    const inside = JSON.parse(
      asar.extractFile(join(unpacked, 'resources', 'app.asar'), 'package.json').toString(),
    ) as { dependencies: Record<string, string>; devDependencies?: unknown; main: string };
    const ours = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(inside.dependencies).toEqual(ours.dependencies);
    expect(inside.devDependencies).toBeUndefined();
    expect(files).toContain(`/${inside.main}`);
  });

  it('puts the image sources where the image service looks in a packaged app', async () => {
    const resources = join(unpacked, 'resources');
    const found = locateContext(resources);
    expect(found).toEqual({
      dockerfile: join(resources, 'container', 'Dockerfile'),
      runner: join(resources, 'container', 'agent-runner.mjs'),
    });
    const context = await loadContext(found);
    expect(context.files.map((f) => f.name)).toEqual(['Dockerfile', 'agent-runner.mjs']);
    // The same sources as a checkout's: a packaged app builds the same image.
    expect(context.hash).toBe((await loadContext(locateContext(undefined))).hash);
    expect((await readdir(join(resources, 'tray'))).sort()).toEqual([
      'tray-ok.png',
      'tray-ok@2x.png',
      'tray-problem.png',
      'tray-problem@2x.png',
      'tray-warning.png',
      'tray-warning@2x.png',
    ]);
  });
});
