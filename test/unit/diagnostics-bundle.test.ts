import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/main/http/server';
import {
  BUNDLE_LOG_FILE,
  createBundleScrubber,
} from '../../src/main/services/app/diagnostics-bundle';
import { fileOnlyCodec, SecretStore } from '../../src/main/services/secrets/secret-store';
import { startTestApp } from '../helpers/app';
import { silentLogger } from '../helpers/temp';
import { OperationTable } from '../../src/main/operation-table';
import { operations } from '../../src/shared/contract';

const BUNDLE = '/api/v1/diagnostics/bundle';
const EXPECTED_FILES = [
  'README.txt',
  'versions.json',
  'doctor.json',
  'status.json',
  'runtime.json',
  'audit.json',
  BUNDLE_LOG_FILE,
  'settings.json',
  'mount-security.json',
  'credential-proxy.json',
  'groups.json',
  'schedules.json',
];

async function download(
  url: string,
  token?: string,
): Promise<{ res: Response; bytes: Uint8Array; files: Record<string, Uint8Array> }> {
  const res = await fetch(`${url}${BUNDLE}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, files: res.ok ? unzipSync(bytes) : {} };
}

/** Every place a secret could hide in an archive: each file's bytes, its name, the zip itself. */
function leaks(
  bytes: Uint8Array,
  files: Record<string, Uint8Array>,
  secrets: Record<string, string>,
): string[] {
  const found: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      const needle = Buffer.from(form);
      if (Buffer.from(bytes).includes(needle)) found.push(`${label} in the zip bytes`);
      for (const [name, data] of Object.entries(files)) {
        if (name.includes(form)) found.push(`${label} in a file name`);
        if (Buffer.from(data).includes(needle)) found.push(`${label} in ${name}`);
      }
    }
  }
  return found;
}

describe('the diagnostics bundle', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  /** An API key every redactor recognises by its shape. */
  const anthropicKey = `sk-ant-test-secret-${randomBytes(18).toString('hex')}`;
  /** A key of no known shape: only the secret store knows it is one. */
  const plainKey = `plainkey${randomBytes(12).toString('hex')}`;
  let sessionToken = '';

  beforeAll(async () => {
    app = await startTestApp();
    const { core } = app;
    await core.dispatch('proxy.createMapping', {
      name: 'Anthropic',
      kind: 'anthropic',
      upstreamUrl: 'https://api.anthropic.com',
      placeholder: 'ANTHROPIC_PLACEHOLDER',
      auth: { type: 'x-api-key' },
      apiKey: anthropicKey,
    });
    await core.dispatch('proxy.createMapping', {
      name: 'Internal',
      kind: 'custom',
      upstreamUrl: 'https://llm.internal.example',
      placeholder: 'INTERNAL_PLACEHOLDER',
      auth: { type: 'bearer' },
      apiKey: plainKey,
    });
    // A live session token, as a running agent container holds one.
    sessionToken = core.services.proxy.containerConfig('bundle-test-session').token;
    // Activity that mentions the secrets, as a careless log line or audit entry would.
    const mention = [plainKey, anthropicKey, core.token, sessionToken].join(' ');
    core.logger.warn(
      { pasted: plainKey, note: `AIGO_PROXY_TOKEN=${sessionToken}` },
      `A user pasted ${mention} into a prompt`,
    );
    core.services.audit.record({
      severity: 'info',
      category: 'bundle-test',
      message: `Something echoed ${mention}`,
      details: { echoed: plainKey, api: core.token, session: sessionToken },
    });
    await core.services.audit.flush();
    await core.dispatch('groups.create', {
      name: 'leaky',
      description: `remember the key ${plainKey}`,
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('starts from a raw log that does hold the plain key (the logger cannot know it is one)', async () => {
    await expect
      .poll(async () => readFile(join(app.dataDir, 'logs', 'aigo.log'), 'utf8'))
      .toContain(plainKey);
  });

  it('is refused without the API token, or with a wrong one, even though it is a GET', async () => {
    const none = await download(app.url);
    expect(none.res.status).toBe(401);
    expect(JSON.parse(Buffer.from(none.bytes).toString('utf8'))).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('always needs the API token'),
    });
    const wrong = await download(app.url, 'not-the-token');
    expect(wrong.res.status).toBe(401);
  });

  it('answers a zip attachment with every file, each one parsing', async () => {
    const { res, files } = await download(app.url, app.core.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="aigo-diagnostics-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.zip"$/,
    );
    expect(Object.keys(files).sort()).toEqual([...EXPECTED_FILES].sort());
    const text = (name: string) => Buffer.from(files[name]!).toString('utf8');
    const json = (name: string) => JSON.parse(text(name)) as Record<string, unknown>;
    for (const name of EXPECTED_FILES.filter((n) => n.endsWith('.json'))) {
      expect(() => json(name), name).not.toThrow();
      expect(json(name), name).not.toHaveProperty('bundleError');
    }

    const versions = json('versions.json');
    expect(versions).toMatchObject({
      aigo: app.core.info.version,
      node: process.versions.node,
      electron: null,
      os: { platform: process.platform, arch: process.arch },
    });
    expect(json('doctor.json')).toMatchObject({ status: expect.any(String) });
    expect((json('doctor.json').items as unknown[]).length).toBeGreaterThan(0);
    expect(json('runtime.json')).toHaveProperty('available');
    const audit = json('audit.json') as { entries: { category: string; message: string }[] };
    expect(audit.entries.length).toBeGreaterThan(0);
    expect(audit.entries.some((e) => e.category === 'bundle-test')).toBe(true);
    expect(json('settings.json')).toHaveProperty('advanced.debugLogging', false);
    expect(json('mount-security.json')).toHaveProperty('roots');
    const proxy = json('credential-proxy.json') as { mappings: { keyLast4: string }[] };
    expect(proxy.mappings.map((m) => m.keyLast4).sort()).toEqual(
      [`…${anthropicKey.slice(-4)}`, `…${plainKey.slice(-4)}`].sort(),
    );
    expect(proxy).not.toHaveProperty('presets');
    const groups = json('groups.json') as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain('leaky');
    expect(json('schedules.json')).toHaveProperty('schedules');

    const lines = text(BUNDLE_LOG_FILE).trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');
    expect(text(BUNDLE_LOG_FILE)).toContain('A user pasted');
    expect(text(BUNDLE_LOG_FILE)).toContain('aigo started');

    const readme = text('README.txt');
    for (const name of EXPECTED_FILES) expect(readme).toContain(name);
    expect(readme).toContain('Enable Debug Logging in Settings > Advanced');
    expect(readme).toContain('aigo logs --last 500');
    expect(readme).toContain('audit-log?limit=500');
  });

  it('holds neither the API token nor a key recognisable by its shape', async () => {
    const { bytes, files } = await download(app.url, app.core.token);
    expect(
      leaks(bytes, files, { apiToken: app.core.token, anthropicKey, plainKey, sessionToken }),
    ).toEqual([]);
    const log = Buffer.from(files[BUNDLE_LOG_FILE]!).toString('utf8');
    expect(log).toContain('[REDACTED api token]');
  });

  /**
   * The server as app.ts wires it: the secret store's scrub and the proxy's session tokens.
   * Here every configured secret, whatever its shape, must be gone.
   */
  describe('with the secret store and session tokens wired in', () => {
    let server: ApiServer;
    beforeAll(async () => {
      const secrets = new SecretStore(join(app.dataDir, 'secrets.json'), fileOnlyCodec);
      await secrets.load();
      expect(secrets.ids().length).toBe(2);
      const proxy = app.core.services.proxy;
      server = await startApiServer({
        host: '127.0.0.1',
        port: 0,
        dispatch: app.core.dispatch,
        operations: new OperationTable(operations, { complete: true }),
        bus: app.core.bus,
        logger: silentLogger(),
        token: () => app.core.token,
        version: app.core.info.version,
        rendererDir: null,
        scrubSecrets: (text) => secrets.scrub(text),
        isProxySessionToken: (candidate) => proxy.sessions.check(candidate) !== null,
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('contains no configured secret, no API token and no session token in any file', async () => {
      const { res, bytes, files } = await download(server.url, app.core.token);
      expect(res.status).toBe(200);
      expect(Object.keys(files).sort()).toEqual([...EXPECTED_FILES].sort());
      const secrets: Record<string, string> = {
        apiToken: app.core.token,
        anthropicKey,
        plainKey,
        sessionToken,
      };
      expect(leaks(bytes, files, secrets)).toEqual([]);
      const groups = Buffer.from(files['groups.json']!).toString('utf8');
      expect(groups).toContain('remember the key [redacted key]');
      expect(Buffer.from(files[BUNDLE_LOG_FILE]!).toString('utf8')).toContain(
        '[REDACTED session token]',
      );
    });
  });
});

describe('the bundle scrubber', () => {
  const scrubber = createBundleScrubber({
    apiToken: 'tok/en+with=chars',
    scrubSecrets: (text) => text.split('hunter2hunter2').join('[redacted key]'),
    isProxySessionToken: (c) => c === 'A'.repeat(32),
  });

  it('removes the API token as is and URL-encoded, stored secrets and live session tokens', () => {
    expect(
      scrubber.text(
        `a tok/en+with=chars b ${encodeURIComponent('tok/en+with=chars')} c hunter2hunter2 d ${'A'.repeat(32)} e ${'B'.repeat(32)}`,
      ),
    ).toBe(
      `a [REDACTED api token] b [REDACTED api token] c [redacted key] d [REDACTED session token] e ${'B'.repeat(32)}`,
    );
  });

  it('removes session tokens by where they travel, and credentials in URLs', () => {
    expect(scrubber.text('AIGO_PROXY_TOKEN=abc123 x-aigo-session: def456')).toBe(
      'AIGO_PROXY_TOKEN=[REDACTED] x-aigo-session: [REDACTED]',
    );
    expect(scrubber.text('"AIGO_PROXY_TOKEN": "abc123"')).toBe('"AIGO_PROXY_TOKEN": "[REDACTED]"');
    expect(scrubber.text('tcp://admin:pa55word@docker.example:2376')).toBe(
      'tcp://[REDACTED]@docker.example:2376',
    );
  });

  it('replaces secret-named string fields and keeps the structure and other values', () => {
    expect(
      scrubber.value({
        apiKey: 'abc',
        maxTokens: 5,
        keyLast4: 'wxyz',
        nested: [{ password: 'p', note: 'hunter2hunter2' }],
        empty: { token: '' },
      }),
    ).toEqual({
      apiKey: '[REDACTED]',
      maxTokens: 5,
      keyLast4: 'wxyz',
      nested: [{ password: '[REDACTED]', note: '[redacted key]' }],
      empty: { token: '' },
    });
  });
});
