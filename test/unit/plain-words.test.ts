import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveDataDir } from '../../src/main/services/app/paths';
import { invalidInput } from '../../src/shared/errors';

describe('the data folder', () => {
  it('treats an empty XDG_CONFIG_HOME (or AIGO_DATA_DIR) as unset, never as a relative folder', () => {
    expect(resolveDataDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/me')).toBe(
      '/home/me/.config/aigo',
    );
    expect(resolveDataDir({ AIGO_DATA_DIR: '  ' }, 'linux', '/home/me')).toBe(
      '/home/me/.config/aigo',
    );
    expect(resolveDataDir({ XDG_CONFIG_HOME: 'rel/dir' }, 'linux', '/home/me')).toBe(
      '/home/me/.config/aigo',
    );
    expect(resolveDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/me')).toBe('/cfg/aigo');
  });
});

describe('validation errors', () => {
  const schema = z.object({ id: z.string(), n: z.number().max(3), e: z.enum(['a', 'b']) }).strict();
  const message = (input: unknown) => {
    const r = schema.safeParse(input);
    return r.success ? 'valid' : invalidInput(r.error).message;
  };
  it('read as sentences that name the field', () => {
    expect(message({ n: 1, e: 'a' })).toBe('Invalid request: id is required.');
    expect(message({ id: 1, n: 1, e: 'a' })).toBe('Invalid request: id must be a string.');
    expect(message({ id: 'x', n: 1, e: 'c' })).toBe('Invalid request: e must be one of "a", "b".');
    expect(message({ id: 'x', n: 1, e: 'a', extra: true })).toBe(
      'Invalid request: "extra" is not a known field.',
    );
    expect(message({ id: 'x', n: 9, e: 'a' })).toMatch(/^Invalid request: n: Too big/);
  });
});
