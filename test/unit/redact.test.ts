import { describe, expect, it } from 'vitest';
import { redact, redactString, REDACTED } from '../../src/main/services/logging/redact';

describe('secret redaction', () => {
  const secrets = [
    'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789',
    'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
    'xoxb-1234567890-abcdefghijklmnop',
    'xapp-1-A012345-abcdefghijklmnop',
    '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
  ];

  it.each(secrets)('masks %s inside free text', (secret) => {
    const out = redactString(`request failed with key ${secret} at upstream`);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('masks bearer tokens and token query parameters but keeps the rest of the text', () => {
    expect(redactString('Authorization: Bearer abcdefgh12345678')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redactString('GET /x?token=abc123&y=1')).toBe(`GET /x?token=${REDACTED}&y=1`);
  });

  it('masks secret-named fields at any depth but keeps counts and flags', () => {
    const out = redact({
      apiKey: 'plain',
      nested: { botToken: 't', mappingCount: 2, tokenConfigured: true },
      list: [{ password: 'p' }],
    }) as Record<string, unknown>;
    expect(out).toEqual({
      apiKey: REDACTED,
      nested: { botToken: REDACTED, mappingCount: 2, tokenConfigured: true },
      list: [{ password: REDACTED }],
    });
  });

  it('survives cycles and errors', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect((redact(a) as Record<string, unknown>).self).toBe('[Circular]');
    expect(redact(new Error('key sk-ant-api03-abcdefghijklmnop'))).toMatchObject({
      message: expect.stringContaining(REDACTED),
    });
  });
});
