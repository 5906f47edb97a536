import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * This install's id: its containers carry it as a label, so start-up removes exactly the
 * orphans of this data folder and never another install's (a second aigo, the tests).
 */
export async function loadInstallId(dataDir: string): Promise<string> {
  const path = join(dataDir, 'install-id');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{16,64}$/.test(existing)) return existing;
  const id = randomBytes(12).toString('hex');
  await writeFileAtomic(path, `${id}\n`, 0o600);
  return id;
}
