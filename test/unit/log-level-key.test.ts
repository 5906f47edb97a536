import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppLogger, LOG_FILE_NAME } from '../../src/main/services/logging/logger';
import { readLastLogEntries } from '../../src/main/services/logging/log-reader';
import { tempDir } from '../helpers/temp';

/** How many times a raw JSON line names a key (`"level":`), counted in the text itself. */
function keyCount(line: string, key: string): number {
  return line.split(`"${key}":`).length - 1;
}

describe('app log lines carry one level', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('a field named level (as in "Log level changed") does not add a second "level" key', async () => {
    const log = createAppLogger({ logDir: dir.path });
    log.logger.info('plain');
    log.setDebug(true);
    // What app.ts logs when the debug-logging setting flips.
    log.logger.info({ level: log.logger.level }, 'Log level changed');
    log.logger.warn({ scope: 'x', level: 'error', time: 'yesterday' }, 'clashing fields');
    log.logger.child({ scope: 'child', level: 'trace' }).error('from a child');
    await log.close();

    const lines = (await readFile(join(dir.path, LOG_FILE_NAME), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(keyCount(line, 'level'), line).toBe(1);
      expect(keyCount(line, 'time'), line).toBe(1);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    const entries = await readLastLogEntries(dir.path, 10);
    expect(entries.map((e) => e.level)).toEqual(['info', 'info', 'warn', 'error']);
    // The logged value survives under another name.
    expect(entries[1]?.data).toMatchObject({ logLevel: 'debug' });
    expect(entries[2]?.data).toMatchObject({ logLevel: 'error' });
  });
});
