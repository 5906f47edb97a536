import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { startProxyHarness } from '../helpers/proxy-harness';

const REAL_KEY = 'sk-ant-api03-FORWARDKEY-0123456789abcdefghijklm';
const GOOGLE_KEY = 'AIzaSyREALGOOGLEKEY-0123456789abcdefgh';
const SMUGGLED = 'SMUGGLED-credential-0123456789';

describe('credential proxy forwarding: only the injected key leaves, only to the base path', () => {
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;
  let token: string;
  const key = (placeholder = 'FWD_PLACEHOLDER') => ({
    'x-api-key': placeholder,
    'x-aigo-session': token,
  });

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: REAL_KEY });
    proxy = await startProxyHarness();
    const mapping = (
      placeholder: string,
      upstreamUrl: string,
      auth = 'x-api-key',
      apiKey = REAL_KEY,
    ) =>
      proxy.service.createMapping({
        name: placeholder,
        kind: 'anthropic',
        upstreamUrl,
        placeholder,
        auth: auth === 'x-api-key' ? { type: 'x-api-key' } : { type: 'header', header: auth },
        apiKey,
      });
    await mapping('FWD_PLACEHOLDER', upstream.url);
    await mapping('BASE_PLACEHOLDER', `${upstream.url}/base/v1`);
    await mapping('GOOGLE_PLACEHOLDER', upstream.url, 'x-goog-api-key', GOOGLE_KEY);
    token = proxy.service.containerConfig('forwarding').token;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await proxy.stop();
    await upstream.close();
  });

  it('strips every credential the client sends; only the injected one reaches the upstream', async () => {
    const credentials = {
      'x-goog-api-key': SMUGGLED,
      'api-key': SMUGGLED,
      'proxy-authorization': `Basic ${SMUGGLED}`,
      cookie: `session=${SMUGGLED}`,
      'x-auth-token': SMUGGLED,
      'x-amz-security-token': SMUGGLED,
      'ocp-apim-subscription-key': SMUGGLED,
      'x-functions-key': SMUGGLED,
      'x-client-secret': SMUGGLED,
    };
    const kept = {
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'tools-2024',
      'x-stainless-lang': 'js',
      'idempotency-key': 'stainless-retry-1',
      'user-agent': 'Anthropic/JS 1.0',
    };
    for (const [extra, placeholder, injected] of [
      [{}, 'FWD_PLACEHOLDER', ['x-api-key', REAL_KEY]],
      [{ authorization: `Basic ${SMUGGLED}` }, 'FWD_PLACEHOLDER', ['x-api-key', REAL_KEY]],
      [{}, 'GOOGLE_PLACEHOLDER', ['x-goog-api-key', GOOGLE_KEY]],
    ] as const) {
      const res = await proxy.send('/v1/messages', {
        ...credentials,
        ...kept,
        ...extra,
        ...key(placeholder),
      });
      const seen = upstream.requests.at(-1)!;
      expect(res.status, placeholder).toBeLessThan(500);
      expect(JSON.stringify(seen.headers)).not.toContain(SMUGGLED);
      expect(seen.headers[injected[0]]).toBe(injected[1]);
      for (const [name, value] of Object.entries(kept)) expect(seen.headers[name]).toBe(value);
    }
    expect(upstream.requests.at(-1)!.headers['x-api-key']).toBeUndefined();
  });

  it('refuses credentials in the query string', async () => {
    const before = upstream.requests.length;
    for (const query of [`?key=${SMUGGLED}`, `?api_key=x`, `?a=1&access_token=${SMUGGLED}`]) {
      const res = await proxy.send(`/v1/models${query}`, key(), { method: 'GET', body: '' });
      expect(res.status, query).toBe(401);
      expect(res.body).not.toContain(SMUGGLED);
    }
    expect(upstream.requests.length).toBe(before);
    const ok = await proxy.send('/v1/models?limit=5&page_token=abc', key(), {
      method: 'GET',
      body: '',
    });
    expect(ok.status).toBe(200);
  });

  it('removes the real key from response headers that reflect it', async () => {
    upstream.route('/v1/reflect', (req, res) => {
      const k = String(req.headers['x-api-key']);
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-echo-key': k,
        'x-debug': `received key=${k}; ok`,
        'x-request-id': 'req_1',
      });
      res.end('{}');
    });
    const res = await proxy.send('/v1/reflect', key());
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.headers)).not.toContain(REAL_KEY);
    expect(res.headers['x-request-id']).toBe('req_1');
  });

  it('masks the real key in a response body that echoes it, even split across chunks and compressed-by-request', async () => {
    upstream.route('/v1/echo-body', (req, res) => {
      const k = String(req.headers['x-api-key']);
      // What reached the upstream: did the proxy ask it not to compress (so it can look)?
      const encoding = String(req.headers['accept-encoding'] ?? '');
      const body = JSON.stringify({ error: `invalid key ${k} (again: ${k})`, encoding });
      const cut = body.indexOf(k) + 10; // the first copy arrives in two chunks
      res.writeHead(400, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.write(body.slice(0, cut));
      setTimeout(() => res.end(body.slice(cut)), 20);
    });
    const res = await proxy.send('/v1/echo-body', { ...key(), 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(400);
    expect(res.body).not.toContain(REAL_KEY);
    expect(res.body).not.toContain(REAL_KEY.slice(0, 20));
    const parsed = JSON.parse(res.body) as { error: string; encoding: string };
    // Same length, so a declared content-length still holds.
    expect(parsed.error).toBe(
      `invalid key ${'*'.repeat(REAL_KEY.length)} (again: ${'*'.repeat(REAL_KEY.length)})`,
    );
    expect(parsed.encoding).toBe('identity');
  });

  it('streams a large masked body to a slow reader whole: nothing lost, reordered or left unmasked', async () => {
    // 8 MB, far past every socket buffer, with the key at chunk edges, read in small sips.
    const piece = `${'x'.repeat(65_000)}${'k'}`;
    upstream.route('/v1/big-echo', (req, res) => {
      const k = String(req.headers['x-api-key']);
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const more = (): void => {
        while (sent < 128) {
          sent++;
          if (!res.write(`${piece}${k}`)) return void res.once('drain', more);
        }
        res.end('end');
      };
      more();
    });
    const received = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: proxy.port,
          path: '/v1/big-echo',
          headers: { host: '127.0.0.1', ...key() },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            res.pause();
            setTimeout(() => res.resume(), 1); // a reader slower than the upstream
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(received).not.toContain(REAL_KEY);
    expect(received.endsWith('end')).toBe(true);
    expect(received.split(`${piece}${'*'.repeat(REAL_KEY.length)}`).length - 1).toBe(128);
  });

  it('refuses TRACE, CONNECT and other methods outside the API set: nothing may echo or tunnel a request with the key', async () => {
    const record = vi.spyOn(proxy.audit, 'record');
    const before = upstream.requests.length;
    for (const method of ['TRACE', 'PROPFIND']) {
      const res = await proxy.send('/v1/messages', key(), { method, body: '' });
      expect(res.status, method).toBe(405);
      expect(JSON.parse(res.body).error.message).toContain(method);
    }
    // TRACK is not HTTP to Node's parser: refused before any code of ours runs.
    expect((await proxy.send('/v1/messages', key(), { method: 'TRACK', body: '' })).status).toBe(
      400,
    );
    expect(upstream.requests.length).toBe(before);
    const connectAnswer = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () =>
        socket.write(`CONNECT ${new URL(upstream.url).host} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(connectAnswer).toMatch(/^HTTP\/1\.1 405/);
    const causes = record.mock.calls.map(([e]) => e.coalesceKey);
    expect(causes).toContain('proxy-refusal:method_not_allowed:127.0.0.1');
  });

  it("normalises the path and refuses one that escapes the mapping's base path", async () => {
    const record = vi.spyOn(proxy.audit, 'record');
    const before = upstream.requests.length;
    const escapes = [
      '/../../admin',
      '/messages/../../../admin',
      '/%2e%2e/%2E%2E/admin',
      '/..%2f..%2fadmin',
      '/..\\..\\admin',
      '/%252e%252e/%252e%252e/admin',
      '/..;/..;/admin',
      'http://evil.example/admin',
    ];
    for (const path of escapes) {
      const res = await proxy.send(path, key('BASE_PLACEHOLDER'));
      expect(res.status, path).toBe(400);
      const body = JSON.parse(res.body) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toContain('/base/v1');
    }
    expect(upstream.requests.length).toBe(before);
    const long = `/${'../'.repeat(2000)}admin`;
    expect((await proxy.send(long, key('BASE_PLACEHOLDER'))).status).toBe(400);
    const entry = record.mock.calls
      .map(([e]) => e)
      .find((e) => e.details?.refusal === 'path_escape');
    expect(entry?.coalesceKey).toBe('proxy-refusal:path_escape:127.0.0.1');
    for (const [e] of record.mock.calls) expect(e.message.length).toBeLessThan(400);

    await proxy.send('/messages/./x/../count', key('BASE_PLACEHOLDER'));
    expect(upstream.requests.at(-1)!.path).toBe('/base/v1/messages/count');
    await proxy.send('/models/org%2Fmodel?x=1', key('BASE_PLACEHOLDER'));
    expect(upstream.requests.at(-1)!.path).toBe('/base/v1/models/org%2Fmodel?x=1');
  });
});
