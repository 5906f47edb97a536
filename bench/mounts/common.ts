import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The bench's entry: it runs the child roles (`plain`, `load`) as well. */
const ENTRY = join(ROOT, 'bench', 'mounts-bench.ts');

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export function spawnRole(role: 'plain' | 'load', arg: unknown = {}) {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, role, JSON.stringify(arg)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
