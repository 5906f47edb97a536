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
    ]);
  });
});
