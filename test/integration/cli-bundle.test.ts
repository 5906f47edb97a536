import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAigo, startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

/** `aigo doctor --bundle` against a running `aigo serve` (no container engine needed). */
describe('aigo doctor --bundle', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let out: Awaited<ReturnType<typeof tempDir>>;
  let serve: ServeProcess;
  const env = () => ({ AIGO_DATA_DIR: dir.path });

  beforeAll(async () => {
    dir = await tempDir();
    out = await tempDir('aigo-bundle-out-');
    serve = await startServe(dir.path);
  });
  afterAll(async () => {
    await serve?.stop();
    await dir?.cleanup();
    await out?.cleanup();
  });

  it('writes the bundle to the named file, a valid zip, and says what it wrote and where', async () => {
    const file = join(out.path, 'out.zip');
    const result = runAigo(['doctor', '--bundle', file], env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Saved the diagnostics bundle to ${file}`);
    expect(result.stdout).toMatch(/^ {2}doctor\.json\s+\d/m);
    expect(result.stdout).toContain('were removed');
    const files = unzipSync(new Uint8Array(await readFile(file)));
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'README.txt',
        'doctor.json',
        'runtime.json',
        'audit.json',
        'versions.json',
        'settings.json',
        'logs/aigo-last-2000.jsonl',
      ]),
    );
    const doctor = JSON.parse(Buffer.from(files['doctor.json']!).toString('utf8'));
    expect(doctor).toHaveProperty('items');
    const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim();
    expect(Buffer.from(await readFile(file)).includes(Buffer.from(token))).toBe(false);
    for (const data of Object.values(files))
      expect(Buffer.from(data).includes(Buffer.from(token))).toBe(false);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('into a folder, under the app’s name for it; -o json prints what it wrote', async () => {
    const folder = join(out.path, 'reports');
    await mkdir(folder);
    const result = runAigo(['doctor', '--bundle', folder, '-o', 'json'], env());
    expect(result.code, result.stderr).toBe(0);
    const saved = JSON.parse(result.stdout) as {
      file: string;
      bytes: number;
      files: { name: string }[];
    };
    const [name] = await readdir(folder);
    expect(name).toMatch(/^aigo-diagnostics-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.zip$/);
    expect(saved.file).toBe(join(folder, name!));
    expect(saved.bytes).toBe((await stat(saved.file)).size);
    expect(saved.files.map((f) => f.name)).toContain('README.txt');
  });

  it('says the token is wrong with a wrong --token, and writes nothing', () => {
    const file = join(out.path, 'wrong.zip');
    const result = runAigo(['doctor', '--bundle', file, '--token', 'nope'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The API token is wrong');
    expect(existsSync(file)).toBe(false);
  });

  it('exits 3 with a clear message when aigo is not running', async () => {
    expect(await serve.stop('SIGTERM')).toBe(0);
    const file = join(out.path, 'down.zip');
    const result = runAigo(['doctor', '--bundle', file], env());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('aigo is not running');
    expect(existsSync(file)).toBe(false);
  });
});
