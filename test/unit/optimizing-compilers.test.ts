import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';

const ROOT = join(import.meta.dirname, '../..');
const MODULE = join(ROOT, 'src/main/services/app/optimizing-compilers.ts');

/**
 * Runs a script in a Node that can read V8's optimization status; it prints whether a hot
 * function ended up optimized by TurboFan, before and after releaseOptimizingCompilers().
 */
async function optimizedBeforeAndAfter(held: boolean): Promise<[boolean, boolean]> {
  const dir = await tempDir('aigo-tiering-');
  try {
    const script = join(dir.path, 'probe.mts');
    writeFileSync(
      script,
      `import { setFlagsFromString } from 'node:v8';
import { releaseOptimizingCompilers } from ${JSON.stringify(MODULE)};
setFlagsFromString('--no-turbofan');
setFlagsFromString('--no-maglev');
if (${held}) (globalThis as Record<symbol, unknown>)[Symbol.for('aigo.optimizingCompilersHeld')] = true;
function hot(n: number): number { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }
// A V8 intrinsic (--allow-natives-syntax); built at run time, as no parser of ours reads it.
const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
const turbofanned = () => {
  for (let i = 0; i < 20_000; i++) hot(500);
  return (status(hot) & (1 << 6)) !== 0; // bit 6: optimized by TurboFan
};
const before = turbofanned();
releaseOptimizingCompilers();
console.log(JSON.stringify([before, turbofanned()]));
`,
    );
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as [boolean, boolean];
  } finally {
    await dir.cleanup();
  }
}

describe('optimizing compilers held back for the start-up', () => {
  it('optimize hot code again once released', async () => {
    expect(await optimizedBeforeAndAfter(true)).toEqual([false, true]);
  });

  it('stay as the user set them when bin/aigo.js did not hold them', async () => {
    expect(await optimizedBeforeAndAfter(false)).toEqual([false, false]);
  });

  it('are held by bin/aigo.js unless the user set V8 flags of their own', () => {
    const probe = (extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          ...extra,
          '--import',
          'data:text/javascript,process.on("exit",()=>console.log("HELD="+globalThis[Symbol.for("aigo.optimizingCompilersHeld")]))',
          join(ROOT, 'bin/aigo.js'),
          '--version',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ).stdout;
    expect(probe([])).toContain('HELD=true');
    expect(probe(['--no-maglev'])).toContain('HELD=undefined');
  });
});
