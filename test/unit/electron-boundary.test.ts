import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const ALLOWED = ['src/main/electron/', 'src/preload/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sourceFiles(path)
      : /\.(ts|tsx)$/.test(name)
        ? [path]
        : [];
  });
}

describe('the Electron boundary', () => {
  it('keeps every import of electron inside src/main/electron and src/preload', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .map((file) => relative(ROOT, file))
      .filter((file) => !ALLOWED.some((dir) => file.startsWith(dir)))
      .filter((file) =>
        /from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/.test(
          readFileSync(join(ROOT, file), 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps services free of the HTTP and Electron layers (they run in every transport)', () => {
    const offenders = sourceFiles(join(ROOT, 'src/main/services'))
      .map((file) => relative(ROOT, file))
      .filter((file) =>
        /from\s+['"](\.\.\/)+(http|electron)\//.test(readFileSync(join(ROOT, file), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });

  it('opens the window with context isolation and the sandbox on', () => {
    const window = readFileSync(join(ROOT, 'src/main/electron/window.ts'), 'utf8');
    expect(window).toMatch(/contextIsolation: true/);
    expect(window).toMatch(/sandbox: true/);
    expect(window).toMatch(/nodeIntegration: false/);
  });
});
