import { spawn } from 'node:child_process';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIGO_BIN, requireBuild } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const line = (msg: string) =>
  `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg })}\n`;

describe('aigo logs --follow', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    requireBuild();
    dir = await tempDir();
    await mkdir(join(dir.path, 'logs'));
    await writeFile(join(dir.path, 'logs/aigo.log'), line('first'));
  });
  afterAll(() => dir.cleanup());

  it('prints every line across a rotation, including the one written just before it', async () => {
    const follower = spawn(process.execPath, [
      AIGO_BIN,
      'logs',
      '--last',
      '1',
      '--follow',
      '--data-dir',
      dir.path,
    ]);
    let out = '';
    follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await expect.poll(() => out).toContain('first');
      await appendFile(join(dir.path, 'logs/aigo.log'), line('appended'));
      await expect.poll(() => out).toContain('appended');
      // What the log library does at the size limit: write a line, rename, start a new file.
      await appendFile(join(dir.path, 'logs/aigo.log'), line('last before rotation'));
      await rename(join(dir.path, 'logs/aigo.log'), join(dir.path, 'logs/aigo.log.1'));
      await writeFile(join(dir.path, 'logs/aigo.log'), line('first after rotation'));
      await expect.poll(() => out).toContain('first after rotation');
      expect(out).toContain('last before rotation');
      expect(out.indexOf('last before rotation')).toBeLessThan(out.indexOf('first after rotation'));
    } finally {
      follower.kill('SIGINT');
    }
  });
});
