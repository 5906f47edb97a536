import { request } from 'node:http';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyMappingView, ProxyStatus, ProxyView } from '../../src/shared/schemas/proxy';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { CredentialProxyService } from '../../src/main/services/proxy/credential-proxy-service';
import { fileOnlyCodec, SecretStore } from '../../src/main/services/secrets/secret-store';
import type { AppError } from '../../src/shared/errors';
import { startTestApp } from '../helpers/app';
import { silentLogger, tempDir } from '../helpers/temp';
import { startFakeUpstream } from '../helpers/fake-upstream';

const REAL_KEY = 'sk-ant-api03-REALKEY-0123456789abcdefghijklmnop';
const REAL_BEARER = 'sk-proj-REALBEARER-0123456789abcdefghij';
const PLACEHOLDER = 'CREDENTIAL_PROXY_PLACEHOLDER';

describe('credential proxy', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let proxyUrl: string;
  let token: string;
  let auth: Record<string, string>;
  const responses: string[] = [];

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: auth,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, json: JSON.parse(text) as T };
  };
  const viaProxy = (path: string, headers: Record<string, string>, body = '{}') =>
    fetch(`${proxyUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const violations = async () =>
    (
      await api<{ entries: { details: { refusal?: string } }[] }>(
        'GET',
        '/api/v1/container/audit-log?category=proxy&severity=violation',
      )
    ).json.entries;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: REAL_KEY, bearer: REAL_BEARER });
    app = await startTestApp();
    auth = { authorization: `Bearer ${app.core.token}`, 'content-type': 'application/json' };
    const created = await api<ProxyMappingView>(
      'POST',
      '/api/v1/container/credential-proxy/mappings',
      {
        name: 'Anthropic (test)',
        kind: 'anthropic',
        upstreamUrl: upstream.url,
        auth: { type: 'x-api-key' },
        apiKey: REAL_KEY,
      },
    );
    expect(created.status).toBe(201);
    const status = (await api<ProxyStatus>('GET', '/api/v1/container/credential-proxy/status'))
      .json;
    proxyUrl = `http://${status.bindAddress}:${status.port}`;
    token = app.core.services.proxy.containerConfig('session-1').token;
  });
  afterAll(async () => {
    await app.stop();
    await upstream.close();
  });

  it('reports the guide diagnostics: running and mappingCount', async () => {
    const res = await fetch(`${app.url}/api/v1/container/credential-proxy/status`);
    const text = await res.text();
    expect(text).toContain('"running": true');
    expect(JSON.parse(text)).toMatchObject({
      mappingCount: 1,
      strict: true,
      bindAddress: '127.0.0.1',
    });
  });

  it('swaps the placeholder for the real key; the placeholder and session token never reach the upstream', async () => {
    const res = await viaProxy(
      '/v1/messages',
      { 'x-api-key': PLACEHOLDER, 'x-aigo-session': token },
      '{"model":"m"}',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ content: [{ text: 'hello from upstream' }] });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers['x-api-key']).toBe(REAL_KEY);
    expect(JSON.stringify(seen.headers)).not.toContain(PLACEHOLDER);
    expect(seen.headers['x-aigo-session']).toBeUndefined();
    expect(seen.body).toBe('{"model":"m"}');
  });

  it('sends the key as a bearer token for a bearer mapping with its own placeholder', async () => {
    await api('POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'OpenAI-compatible',
      kind: 'openai',
      upstreamUrl: upstream.url,
      placeholder: 'OPENAI_PLACEHOLDER',
      auth: { type: 'bearer' },
      apiKey: REAL_BEARER,
    });
    const res = await viaProxy('/v1/chat', {
      authorization: 'Bearer OPENAI_PLACEHOLDER',
      'x-aigo-session': token,
    });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${REAL_BEARER}`);
  });

  it('streams server-sent events: the first chunk arrives before the upstream finishes', async () => {
    const res = await viaProxy('/v1/stream', { 'x-api-key': PLACEHOLDER, 'x-aigo-session': token });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"first"');
    upstream.releaseStream(); // only now does the upstream send the rest and end
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('"last"');
  });

  it('streams a large request body instead of buffering it', async () => {
    const half = Buffer.alloc(8 * 1024 * 1024, 97);
    const url = new URL(proxyUrl);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/v1/upload',
          method: 'POST',
          headers: {
            'x-api-key': PLACEHOLDER,
            'x-aigo-session': token,
            'content-type': 'application/octet-stream',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(half);
      // The second half is sent only once the upstream has seen bytes: a buffering proxy would stall here.
      const stall = setTimeout(
        () =>
          reject(new Error('the upstream saw nothing before the body ended: the proxy buffers')),
        10_000,
      );
      void upstream.uploadFirstByte.then(() => {
        clearTimeout(stall);
        req.end(half);
      });
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).bytes).toBe(half.length * 2);
  });

  it.each([
    ['no session token', { 'x-api-key': PLACEHOLDER }, 'missing_session'],
    [
      'an unknown session token',
      { 'x-api-key': PLACEHOLDER, 'x-aigo-session': 'forged-token-value' },
      'invalid_session',
    ],
    ['an unknown placeholder', { 'x-api-key': 'SOME_OTHER_PLACEHOLDER' }, 'unknown_placeholder'],
    [
      'a real-looking key',
      { 'x-api-key': 'sk-ant-api03-SMUGGLED-abcdefghijklmnopqrstuvwxyz' },
      'real_key',
    ],
    ['no key at all', {}, 'missing_key'],
  ])('refuses %s with 401 and a violation', async (_what, headers, refusal) => {
    const needsToken =
      refusal === 'unknown_placeholder' || refusal === 'real_key' || refusal === 'missing_key';
    const before = upstream.requests.length;
    const res = await viaProxy('/v1/messages', {
      ...headers,
      ...(needsToken ? { 'x-aigo-session': token } : {}),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.type).toBe('authentication_error');
    expect(upstream.requests.length).toBe(before);
    expect((await violations())[0]?.details.refusal).toBe(refusal);
  });

  it('limits a session to the mapping it was given', async () => {
    const view = app.core.services.proxy.view();
    const anthropic = view.mappings.find((m) => m.name === 'Anthropic (test)')!;
    const config = app.core.services.proxy.containerConfig('one-mapping', anthropic);
    expect(
      (await viaProxy('/v1/messages', { 'x-api-key': PLACEHOLDER, 'x-aigo-session': config.token }))
        .status,
    ).toBe(200);
    const other = await viaProxy('/v1/chat', {
      authorization: 'Bearer OPENAI_PLACEHOLDER',
      'x-aigo-session': config.token,
    });
    expect(other.status).toBe(403);
    expect((await violations())[0]?.details.refusal).toBe('mapping_not_allowed');
    app.core.services.proxy.revokeSession('one-mapping');
  });

  it('refuses browser requests and requests addressed to a foreign host name (DNS rebinding)', async () => {
    const fromPage = await viaProxy('/v1/messages', {
      'x-api-key': PLACEHOLDER,
      'x-aigo-session': token,
      origin: 'http://evil.example',
    });
    expect(fromPage.status).toBe(403);
    expect((await violations())[0]?.details.refusal).toBe('browser_request');
    const url = new URL(proxyUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/v1/messages',
          method: 'POST',
          headers: { host: 'evil.example', 'x-api-key': PLACEHOLDER, 'x-aigo-session': token },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
    expect((await violations())[0]?.details.refusal).toBe('foreign_host');
  });

  it('refuses a key with characters no HTTP header can carry, saying why', async () => {
    const res = await api<{ code: string; message: string }>(
      'POST',
      '/api/v1/container/credential-proxy/mappings',
      {
        name: 'Typographic dashes',
        upstreamUrl: upstream.url,
        placeholder: 'DASH_PLACEHOLDER',
        apiKey: 'sk\u2011ant\u2011api03\u2011abcdefgh',
      },
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('plain visible characters');
    expect(res.json.message).not.toContain('abcdefgh');
  });

  it('refuses a token once its session is revoked', async () => {
    const config = app.core.services.proxy.containerConfig('short-lived');
    expect(
      (await viaProxy('/v1/messages', { 'x-api-key': PLACEHOLDER, 'x-aigo-session': config.token }))
        .status,
    ).toBe(200);
    app.core.services.proxy.revokeSession('short-lived');
    const refused = await viaProxy('/v1/messages', {
      'x-api-key': PLACEHOLDER,
      'x-aigo-session': config.token,
    });
    expect(refused.status).toBe(401);
    // A repeat of an earlier refusal (same cause, same source) is counted, not a new entry.
    expect((await refused.json()).error.message).toContain('revoked');
  });

  it('gives containers the guide environment and a host entry for host-gateway', () => {
    const config = app.core.services.proxy.containerConfig('env-check');
    expect(config.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/host-gateway:\d+$/);
    expect(config.env.ANTHROPIC_API_KEY).toBe(PLACEHOLDER);
    expect(config.env.ANTHROPIC_CUSTOM_HEADERS).toBe(`x-aigo-session: ${config.token}`);
    // No runtime here: the container maps the name to the engine's own host-gateway value.
    expect(config.extraHosts).toEqual(['host-gateway:host-gateway']);
    expect(JSON.stringify(config)).not.toContain(REAL_KEY);
  });

  it('answers 502 with a JSON body naming the upstream when it is down', async () => {
    const dead = await api<ProxyMappingView>(
      'POST',
      '/api/v1/container/credential-proxy/mappings',
      {
        name: 'Dead',
        upstreamUrl: 'http://127.0.0.1:9',
        placeholder: 'DEAD_PLACEHOLDER',
        apiKey: 'dead-key-0123456789',
      },
    );
    const res = await viaProxy('/v1/messages', {
      'x-api-key': 'DEAD_PLACEHOLDER',
      'x-aigo-session': token,
    });
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.error.upstream).toBe('http://127.0.0.1:9');
    expect(body.error.message).toContain('ECONNREFUSED');
    const status = (await api<ProxyStatus>('GET', '/api/v1/container/credential-proxy/status'))
      .json;
    expect(status.lastError).toContain('http://127.0.0.1:9');
    expect(
      (
        await api<{ result: string }>(
          'POST',
          `/api/v1/container/credential-proxy/mappings/${dead.json.id}/test`,
        )
      ).json.result,
    ).toBe('unreachable');
    await api('DELETE', `/api/v1/container/credential-proxy/mappings/${dead.json.id}`);
  });

  it('Test tells a valid key from a rejected one', async () => {
    const view = (await api<ProxyView>('GET', '/api/v1/container/credential-proxy')).json;
    const id = view.mappings.find((m) => m.name === 'Anthropic (test)')!.id;
    const ok = await api<{ result: string; message: string; models?: string[] }>(
      'POST',
      `/api/v1/container/credential-proxy/mappings/${id}/test`,
    );
    expect(ok.json.result).toBe('reachable');
    // The upstream's own model list, as the README promises.
    expect(ok.json.models).toEqual(['claude-test']);
    expect(ok.json.message).toContain('1 model: claude-test');
    await api('PATCH', `/api/v1/container/credential-proxy/mappings/${id}`, {
      apiKey: 'sk-ant-api03-WRONGKEY-000000000000',
    });
    const bad = await api<{ result: string; message: string }>(
      'POST',
      `/api/v1/container/credential-proxy/mappings/${id}/test`,
    );
    expect(bad.json).toMatchObject({ result: 'key_rejected', status: 401 });
    expect(bad.json.message).toContain('Check that the real API key is valid');
    expect(
      (await viaProxy('/v1/messages', { 'x-api-key': PLACEHOLDER, 'x-aigo-session': token }))
        .status,
    ).toBe(401);
    const warnings = (
      await api<{ entries: { message: string }[] }>(
        'GET',
        '/api/v1/container/audit-log?category=proxy&severity=warning',
      )
    ).json.entries;
    expect(warnings[0]?.message).toContain('rejected the key');
    await api('PATCH', `/api/v1/container/credential-proxy/mappings/${id}`, { apiKey: REAL_KEY });
  });

  it('turns off and on with the toggle, auditing both', async () => {
    expect(
      (await api<ProxyStatus>('POST', '/api/v1/container/credential-proxy/stop')).json.running,
    ).toBe(false);
    await expect(fetch(`${proxyUrl}/v1/messages`)).rejects.toThrow();
    const started = (await api<ProxyStatus>('POST', '/api/v1/container/credential-proxy/start'))
      .json;
    expect(started.running).toBe(true);
    proxyUrl = `http://${started.bindAddress}:${started.port}`;
    const infos = (
      await api<{ entries: { message: string }[] }>(
        'GET',
        '/api/v1/container/audit-log?category=proxy&severity=info',
      )
    ).json.entries;
    expect(
      infos
        .map((e) => e.message)
        .slice(0, 2)
        .join(' | '),
    ).toMatch(/started .* \| .*stopped/);
  });

  it('names the port and the fix when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = await tempDir();
    await writeFile(join(dir.path, 'credential-proxy.json'), JSON.stringify({ enabled: false }));
    const bus = new EventBus();
    const audit = new AuditLog({ dir: join(dir.path, 'audit'), bus, logger: silentLogger() });
    await audit.start();
    const service = new CredentialProxyService({
      dataDir: dir.path,
      bus,
      audit,
      logger: silentLogger(),
      warnings: new WarningCenter(bus),
      secrets: new SecretStore(join(dir.path, 'secrets.json'), fileOnlyCodec),
      runtime: () => app.core.services.runtime.status(),
      docker: () => app.core.services.runtime.docker().client,
    });
    try {
      await service.start();
      const error = await service
        .updateSettings({ enabled: true, port })
        .catch((e: unknown) => e as AppError);
      expect((error as AppError).code).toBe('CONFLICT');
      expect((error as AppError).message).toBe(
        `Port ${port} on 127.0.0.1 is already in use, so the credential proxy cannot start. Choose another port in Settings > Container > Credential Proxy, or stop the program using it (lsof -i :${port}).`,
      );
      // Refused before anything changed: the saved settings still say off.
      expect(service.status().running).toBe(false);
      expect(service.view().config).toMatchObject({ enabled: false });
    } finally {
      await service.stop();
      await audit.stop();
      blocker.close();
      await dir.cleanup();
    }
  });

  it('refuses a bind address no interface has and keeps the running proxy up', async () => {
    const before = (await api<ProxyView>('GET', '/api/v1/container/credential-proxy')).json;
    // 192.0.2.1 is TEST-NET-1: never assigned to an interface; binding to it sends nothing.
    const refused = await api<{ code: string; message: string }>(
      'PATCH',
      '/api/v1/container/credential-proxy',
      { bindAddress: '192.0.2.1' },
    );
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('no network interface has that address');
    const after = (await api<ProxyView>('GET', '/api/v1/container/credential-proxy')).json;
    expect(after.config.bindAddress).toBe(before.config.bindAddress);
    expect(after.status).toMatchObject({ running: true, port: before.status.port });
    // The old listener never went down.
    expect((await fetch(`${proxyUrl}/v1/messages`, { method: 'POST' })).status).toBeLessThan(500);
  });

  it('never writes a real key anywhere but the 0600 secret store, nor returns one', async () => {
    const view = await api<ProxyView>('GET', '/api/v1/container/credential-proxy');
    expect(view.json.mappings[0]?.keyLast4).toBe(`…${REAL_KEY.slice(-4)}`);
    // Stopping closes the log and the audit file: everything written is on disk now.
    await app.core.stop();
    const log = await readFile(join(app.dataDir, 'logs/aigo.log'), 'utf8');
    expect(log).toContain('Upstream failed'); // the scan below reads a complete log
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.push(full);
      }
    };
    await walk(app.dataDir);
    const secretsFile = join(app.dataDir, 'secrets.json');
    expect(files).toContain(secretsFile);
    expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
    for (const file of files.filter((f) => f !== secretsFile)) {
      const text = await readFile(file, 'utf8').catch(() => '');
      expect(text, file).not.toContain(REAL_KEY);
      expect(text, file).not.toContain(REAL_BEARER);
      expect(text, file).not.toContain('SMUGGLED');
    }
    for (const body of responses) {
      expect(body).not.toContain(REAL_KEY);
      expect(body).not.toContain(REAL_BEARER);
    }
  });
});
