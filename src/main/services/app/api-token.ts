import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { removeStaleTemps, writeFileAtomic } from '../fs/atomic-write';

/**
 * The API token every mutating request needs. Created once (256 random bits), kept at 0600;
 * a file other users could read is tightened rather than trusted blindly.
 */
export async function loadOrCreateApiToken(path: string): Promise<string> {
  await removeStaleTemps(path);
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token.length >= 32) {
      if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0)
        await chmod(path, 0o600);
      return token;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}
