import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Node the desktop app runs on (Electron's), the Node the tests run on (`./dev`, CI), the
 * `engines` field and the README must name one version: a drift means the services are tested
 * on another Node than the one they ship with, or `npm install` warns EBADENGINE.
 */
const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('one Node version everywhere', () => {
  it("Electron's Node, ./dev, engines, @types/node, the README and this run agree", () => {
    const electron = JSON.parse(read('node_modules/electron/package.json')) as {
      dependencies: Record<string, string>;
    };
    // Electron pins @types/node to the major of the Node it bundles.
    const electronMajor = /(\d+)/.exec(electron.dependencies['@types/node'] ?? '')?.[1];
    const devMajor = /^NODE_MAJOR=(\d+)$/m.exec(read('dev'))?.[1];
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    const enginesMajor = /(\d+)/.exec(pkg.engines.node)?.[1];
    const typesMajor = /(\d+)/.exec(pkg.devDependencies['@types/node'] ?? '')?.[1];
    expect(electronMajor).toBeDefined();
    expect({ devMajor, enginesMajor, typesMajor }).toEqual({
      devMajor: electronMajor,
      enginesMajor: electronMajor,
      typesMajor: electronMajor,
    });
    expect(read('README.md')).toContain(`**Node.js ${electronMajor}**`);
    expect(read('.ci/run')).toContain('./dev test');
    if (process.env.CI) expect(process.versions.node.split('.')[0]).toBe(electronMajor);
  });
});
