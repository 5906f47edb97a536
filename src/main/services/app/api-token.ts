import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { removeStaleTempsSync, writeFileAtomicSync } from '../fs/atomic-write';

/**
 * The API token every mutating request needs. Created once (256 random bits), kept at 0600;
 * a file other users could read is tightened rather than trusted blindly.
 */
export function loadOrCreateApiToken(path: string): string {
  // Synchronous: a step of the start-up before the API listens (see writeFileAtomicSync).
  removeStaleTempsSync(path);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 32) {
      if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0)
        chmodSync(path, 0o600);
      return token;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileAtomicSync(path, `${token}\n`, 0o600);
  return token;
}
