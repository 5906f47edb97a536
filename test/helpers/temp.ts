import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

export async function tempDir(
  prefix = 'aigo-test-',
): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A real pino logger that writes nowhere, for services under test. */
export function silentLogger(): pino.Logger {
  return pino({ level: 'silent' });
}
