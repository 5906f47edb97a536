import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanForMasks } from '../../src/main/services/mounts/mask-scan';
import { DEFAULT_BLOCKED_PATTERNS } from '../../src/shared/schemas/mounts';
import { tempDir } from '../helpers/temp';

/**
 * A large repository: 1,100 folders of 100 files, 111,100 entries, past the 100,000 the scan
 * used to stop at (and then refuse the mount). No Docker needed; here for the time it takes
 * to create the files.
 */
describe('a tree of more than 110,000 entries', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let root: string;

  beforeAll(async () => {
    t = await tempDir('aigo-large-tree-');
    root = join(t.path, 'big');
    for (let a = 0; a < 100; a++)
      for (let b = 0; b < 11; b++) {
        const dir = b === 0 ? join(root, `pkg${a}`) : join(root, `pkg${a}`, `mod${b}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 100; f++) {
          const name = a % 25 === 7 && b === 10 && f === 99 ? '.env.production' : `f${f}.ts`;
          closeSync(openSync(join(dir, name), 'w'));
        }
      }
  }, 300_000);
  // rm -rf: fs.rm takes many times longer over 100,000 files.
  afterAll(() => execFileSync('rm', ['-rf', t.path]), 300_000);

  it('is scanned to the end with the default entry bound', async () => {
    // A generous time budget: this asserts the entry bound, not the speed of the machine.
    const found = await scanForMasks(root, {
      patterns: [...DEFAULT_BLOCKED_PATTERNS],
      protectedPaths: [],
      timeBudgetMs: 300_000,
    });
    expect(found.incomplete).toBe(false);
    expect(found.masked.map((m) => m.path)).toEqual(
      [7, 32, 57, 82].map((a) => `pkg${a}/mod10/.env.production`).sort(),
    );
  });
});
