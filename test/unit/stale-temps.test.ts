import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app';
import { tempDir } from '../helpers/temp';

describe('temp copies a crash left in the data folder', () => {
  it('are removed at start: token, discovery, settings and policy copies; nothing else', async () => {
    const t = await tempDir('aigo-stale-');
    const dataDir = join(t.path, 'data');
    await mkdir(dataDir, { recursive: true });
    const stale = [
      '.api-token.0123456789ab.tmp',
      '.mgmt-api.json.a1b2c3d4e5f6.tmp',
      '.settings.json.tmp',
      '.mount-security.json.tmp',
    ];
    for (const name of stale)
      await writeFile(join(dataDir, name), 'a-token-that-leaked', { mode: 0o600 });
    await writeFile(join(dataDir, '.notes.tmp'), 'not ours');
    const app = await startTestApp({ dataDir });
    try {
      const left = await readdir(dataDir);
      for (const name of stale) expect(left).not.toContain(name);
      expect(left).toContain('.notes.tmp');
    } finally {
      await app.stop();
      await t.cleanup();
    }
  });
});
