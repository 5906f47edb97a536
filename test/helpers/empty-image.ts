import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EMPTY_IMAGE = 'aigo-test-empty:latest';

/** A local image with no shell at all: a base every RUN step fails on, without any network. */
export function ensureEmptyImage(): string {
  if (spawnSync('docker', ['image', 'inspect', EMPTY_IMAGE], { stdio: 'ignore' }).status === 0)
    return EMPTY_IMAGE;
  const root = mkdtempSync(join(tmpdir(), 'aigo-empty-'));
  try {
    writeFileSync(join(root, 'README'), 'intentionally empty\n');
    const tar = spawnSync('tar', ['-C', root, '-c', '.']);
    execFileSync('docker', ['import', '-', EMPTY_IMAGE], { input: tar.stdout });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return EMPTY_IMAGE;
}
