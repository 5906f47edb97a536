import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppLogger } from '../../src/main/services/logging/logger';
import { formatLogEntry, readLastLogEntries } from '../../src/main/services/logging/log-reader';
import { tempDir } from '../helpers/temp';

describe('app log', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('writes redacted JSON lines that read back in order, and switches level at run time', async () => {
    const log = createAppLogger({ logDir: dir.path });
    log.logger.debug('hidden at info');
    log.logger.info({ scope: 'runtime', apiKey: 'sk-ant-api03-zzzzzzzzzzzzzzzz' }, 'first');
    log.setDebug(true);
    log.logger.debug('shown at debug');
    log.logger.warn('token xoxb-1234567890-abcdefghijkl leaked?');
    await log.close();
    const entries = await readLastLogEntries(dir.path, 10);
    expect(entries.map((e) => e.msg)).toEqual([
      'first',
      'shown at debug',
      'token [REDACTED] leaked?',
    ]);
    expect(entries[0]?.scope).toBe('runtime');
    expect(JSON.stringify(entries)).not.toContain('zzzzzzzz');
    expect(formatLogEntry(entries[0]!)).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}\[runtime\] first/,
    );
  });

  it('reads the last N across rotated files, oldest first', async () => {
    const line = (n: number) =>
      JSON.stringify({ time: new Date(n * 1000).toISOString(), level: 'info', msg: `m${n}` });
    await writeFile(join(dir.path, 'aigo.log.2'), [1, 2, 3].map(line).join('\n') + '\n');
    await writeFile(join(dir.path, 'aigo.log.1'), [4, 5].map(line).join('\n') + '\n');
    await writeFile(join(dir.path, 'aigo.log'), [6, 7].map(line).join('\n') + '\n');
    expect((await readLastLogEntries(dir.path, 4)).map((e) => e.msg)).toEqual([
      'm4',
      'm5',
      'm6',
      'm7',
    ]);
    expect((await readLastLogEntries(dir.path, 100)).map((e) => e.msg)).toHaveLength(7);
  });
});
