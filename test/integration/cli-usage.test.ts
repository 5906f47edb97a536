import { describe, expect, it } from 'vitest';
import { runAigo } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

/** Bad input to `aigo api` is checked before any call: one line on stderr, exit code 2. */
describe('aigo api with bad input', () => {
  const run = async (args: string[]) => {
    const dir = await tempDir();
    try {
      // No app runs in this data folder: the input is rejected before looking for one.
      return runAigo(args, { AIGO_DATA_DIR: dir.path, AIGO_ENDPOINT: '', AIGO_TOKEN: '' });
    } finally {
      await dir.cleanup();
    }
  };
  const oneLine = (stderr: string) => {
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
    return stderr.trimEnd();
  };

  it('a missing path parameter says which field is required', async () => {
    const result = await run(['api', 'proxy.deleteMapping', '{}']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toBe(
      'aigo: Invalid input for proxy.deleteMapping: id is required.',
    );
  });

  it('a field of the wrong type says so', async () => {
    const result = await run(['api', 'proxy.deleteMapping', '{"id": 5}']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain('id must be a string');
  });

  it('input that is not JSON, or not an object, is one line and exit 2', async () => {
    const notJson = await run(['api', 'mounts.validate', '{not json']);
    expect(notJson.code).toBe(2);
    expect(oneLine(notJson.stderr)).toContain('not valid JSON');
    const unknown = await run(['api', 'no.such']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toContain('aigo api --list');
  });
});

describe('aigo with bad arguments', () => {
  it('a usage error exits 2 with commander’s message; --help and --version exit 0', () => {
    const bad = runAigo(['logs', '--last', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a whole number');
    const unknown = runAigo(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(runAigo(['--help']).code).toBe(0);
    expect(runAigo(['logs', '--help']).code).toBe(0);
    expect(runAigo(['--version']).code).toBe(0);
  });
});
