import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../../test/helpers/serve-process';
import type { MemoryResult } from './memory-child';

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const CHILD_LIMIT_MS = 60_000;

/** The memory figures, from a child process of their own (`node --expose-gc`). */
export function measureMemory(): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        return reject(new Error(`memory child exited with ${code}: ${err.trim().slice(0, 500)}`));
      resolve(JSON.parse(line) as MemoryResult);
    });
  });
}
