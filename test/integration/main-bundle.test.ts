import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../helpers/serve-process';

describe('the built main process', () => {
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
