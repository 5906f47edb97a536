import { describe, expect, it } from 'vitest';
import { upstreamHeaders } from '../../src/main/services/proxy/forwarded-headers';

describe('upstreamHeaders', () => {
  it("never forwards the client's own header of the name the key goes in", () => {
    const sent = upstreamHeaders(
      ['X-Custom', 'client-chosen', 'x-custom', 'another', 'Accept', 'application/json'],
      { type: 'header', header: 'X-Custom' },
      'REAL-KEY',
      'api.example.com',
    );
    expect(sent).toEqual([
      'Accept',
      'application/json',
      'host',
      'api.example.com',
      'X-Custom',
      'REAL-KEY',
      'accept-encoding',
      'identity',
    ]);
  });

  it("asks for an uncompressed answer when it sends a key (the body is checked for it), in place of the client's", () => {
    const raw = ['Accept-Encoding', 'gzip, br', 'Accept', '*/*'];
    const withKey = upstreamHeaders(raw, { type: 'x-api-key' }, 'REAL-KEY', 'h');
    expect(
      withKey.filter((_, i) => i % 2 === 0 && /accept-encoding/i.test(withKey[i] ?? '')),
    ).toEqual(['accept-encoding']);
    expect(withKey.at(-1)).toBe('identity');
    // No key sent (a keyless mapping): the client's choice stands.
    const keyless = upstreamHeaders(raw, { type: 'none' }, null, 'h');
    expect(keyless).toContain('gzip, br');
  });
});
