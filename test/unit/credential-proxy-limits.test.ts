import {
  createServer,
  request,
  type ClientRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { startProxyHarness, type Sent } from '../helpers/proxy-harness';

const REAL_KEY = 'sk-ant-api03-LIMITKEY-0123456789abcdefghijklmnop';
const PLACEHOLDER = 'LIMITS_PLACEHOLDER';

/** Resolves once `ready()` holds, failing after `ms` (a bound, not a timing assertion). */
async function until(ready: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

describe('credential proxy limits: no session can starve the others', () => {
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;
  const open: ClientRequest[] = [];
  const timers: NodeJS.Timeout[] = [];

  /** An upload that sends its headers and a first byte, then one byte every 300 ms, forever. */
  const slowUpload = (token: string, answered: (r: Sent) => void, port = proxy.port) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/upload',
        method: 'POST',
        agent: false,
        headers: { 'x-api-key': PLACEHOLDER, 'x-aigo-session': token },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => answered({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', () => undefined);
    req.write('x');
    const timer = setInterval(() => !req.destroyed && req.write('x'), 300);
    timers.push(timer);
    open.push(req);
    return req;
  };

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: REAL_KEY });
    // A short upstream timeout: before the fix, the starved request failed after it.
    proxy = await startProxyHarness({
      config: { upstreamTimeoutMs: 3000 },
      limits: { bodyIdleTimeoutMs: 1000 },
    });
    await proxy.service.createMapping({
      name: 'Limits',
      kind: 'anthropic',
      upstreamUrl: upstream.url,
      placeholder: PLACEHOLDER,
      auth: { type: 'x-api-key' },
      apiKey: REAL_KEY,
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const t of timers.splice(0)) clearInterval(t);
    for (const r of open.splice(0)) r.destroy();
    await until(() => upstream.uploadsOpen() === 0, 'the uploads to close');
  });
  afterAll(async () => {
    await proxy.stop();
    await upstream.close();
  });

  it("one session's many slow uploads do not starve another session", async () => {
    const hog = proxy.service.containerConfig('hog').token;
    const other = proxy.service.containerConfig('other').token;
    const refused: Sent[] = [];
    for (let i = 0; i < 300; i++) slowUpload(hog, (r) => refused.push(r));
    // Every upload is either at the upstream, holding a pooled connection, or answered.
    await until(() => upstream.uploadsOpen() + refused.length >= 256, 'the uploads to settle');
    const res = await within(
      proxy.send('/v1/messages', { 'x-api-key': PLACEHOLDER, 'x-aigo-session': other }),
      10_000,
      "the other session's request",
    );
    expect(res.status).toBe(200);
    expect(upstream.uploadsOpen()).toBeLessThan(256);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(429);
      const body = JSON.parse(r.body) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('rate_limit_error');
      expect(body.error.message).toContain('this container session already has');
    }
    // Once its uploads end, the session has its share back.
    for (const t of timers.splice(0)) clearInterval(t);
    for (const r of open.splice(0)) r.destroy();
    await until(() => upstream.uploadsOpen() === 0, 'the uploads to close');
    const again = await proxy.send('/v1/messages', {
      'x-api-key': PLACEHOLDER,
      'x-aigo-session': hog,
    });
    expect(again.status).toBe(200);
  });

  it('limits requests per client address too, whatever their sessions', async () => {
    const small = await startProxyHarness({ limits: { perSession: 100, perAddress: 4 } });
    try {
      await small.service.createMapping({
        name: 'Address',
        kind: 'anthropic',
        upstreamUrl: upstream.url,
        placeholder: PLACEHOLDER,
        auth: { type: 'x-api-key' },
        apiKey: REAL_KEY,
      });
      const refused: Sent[] = [];
      const record = vi.spyOn(small.audit, 'record');
      for (let i = 0; i < 5; i++) {
        const token = small.service.containerConfig(`many-${i}`).token;
        slowUpload(token, (r) => refused.push(r), small.port);
      }
      await until(() => refused.length > 0, 'a refusal');
      expect(refused[0]?.status).toBe(429);
      expect(refused[0]?.body).toContain('from this address');
      const refusal = record.mock.calls.find(([e]) => e.details?.refusal === 'address_limit');
      expect(refusal?.[0].coalesceKey).toBe('proxy-refusal:address_limit:127.0.0.1');
    } finally {
      for (const t of timers.splice(0)) clearInterval(t);
      for (const r of open.splice(0)) r.destroy();
      await small.stop();
    }
  });

  it('answers 408 to a request body that stalls, and frees its connection', async () => {
    const token = proxy.service.containerConfig('stalled').token;
    const answer = await within(
      new Promise<Sent>((resolve) => {
        const req = slowUpload(token, resolve);
        clearInterval(timers.pop()); // the first byte only, then nothing
        void req;
      }),
      10_000,
      'the stalled upload',
    );
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error.message).toContain('request body');
    expect(answer.headers.connection).toBe('close');
    await until(() => upstream.uploadsOpen() === 0, 'the upstream request to be aborted');
  });
});

describe('credential proxy: an upstream that stops answering', () => {
  const silent: ServerResponse[] = [];
  let upstream: Server;
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;

  beforeAll(async () => {
    // /silent takes the request and never answers; /drip streams a line every 400 ms for 4 s.
    upstream = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/silent')) return void silent.push(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`data: ${++sent}\n\n`);
        if (sent === 10) {
          clearInterval(timer);
          res.end();
        }
      }, 400);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    proxy = await startProxyHarness({ config: { upstreamTimeoutMs: 2000 } });
    await proxy.service.createMapping({
      name: 'Slow upstream',
      kind: 'anthropic',
      upstreamUrl: `http://127.0.0.1:${port}`,
      placeholder: PLACEHOLDER,
      auth: { type: 'x-api-key' },
      apiKey: REAL_KEY,
    });
  });
  afterAll(async () => {
    for (const res of silent) res.destroy();
    await proxy.stop();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const call = (path: string) => {
    const token = proxy.service.containerConfig(`stop-${path}`).token;
    return fetch(`http://127.0.0.1:${proxy.port}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': PLACEHOLDER, 'x-aigo-session': token },
      body: '{}',
    });
  };

  it('answers 504 when the upstream sends nothing for the timeout', async () => {
    const answer = await within(call('/silent'), 10_000, 'the silent upstream');
    expect(answer.status).toBe(504);
    expect((await answer.json()).error.message).toContain('did not answer in time');
  });

  it('never cuts an answer that keeps streaming for longer than the timeout', async () => {
    const answer = await within(call('/drip'), 15_000, 'the dripping upstream');
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expect(body.match(/^data: /gm)).toHaveLength(10);
  });
});
