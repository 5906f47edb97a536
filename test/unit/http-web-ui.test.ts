import { connect } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { MAX_UNSENT_EVENT_BYTES } from '../../src/main/http/events-stream';

/** One request as raw bytes, so the path reaches the server exactly as written (no normalising). */
function rawRequest(
  url: string,
  head: string,
): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`${head}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [headPart = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(headPart)?.[1] ?? 0),
        head: headPart.toLowerCase(),
        body: rest.join('\r\n\r\n'),
      });
    });
  });
}

describe('the web UI and the event stream on the local API', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let ui: Awaited<ReturnType<typeof tempDir>>;
  const SECRET = 'a file beside the UI that must never be served';
  beforeAll(async () => {
    ui = await tempDir();
    const renderer = join(ui.path, 'renderer');
    await mkdir(join(renderer, 'assets', 'fonts'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>aigo ui</title>');
    await writeFile(join(renderer, 'assets', 'index-abc.js'), 'console.log("ui")');
    await writeFile(join(renderer, 'assets', 'fonts', 'a.woff2'), 'woff2');
    await writeFile(join(ui.path, 'secret.txt'), SECRET);
    await writeFile(join(renderer, 'secret.txt'), SECRET);
    app = await startTestApp({ rendererDir: renderer });
  });
  afterAll(async () => {
    await app.stop();
    await ui.cleanup();
  });

  it('serves built assets with their type, a long cache life and the page security headers', async () => {
    const res = await fetch(`${app.url}/assets/index-abc.js`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log("ui")');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const font = await fetch(`${app.url}/assets/fonts/a.woff2`);
    expect(font.headers.get('content-type')).toBe('font/woff2');
  });

  it('answers every path out of the assets folder with 404, whatever its spelling', async () => {
    for (const path of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..\\secret.txt',
      '/assets//etc/passwd',
      '/assets/fonts/../../secret.txt',
      '/assets/missing.js',
    ]) {
      const res = await rawRequest(app.url, `GET ${path} HTTP/1.1`);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toContain('root:');
      // Either a 404, or the page itself where the path names none of the assets.
      if (res.status === 200) expect(res.body, path).toContain('<title>aigo ui</title>');
      else expect(res.status, path).toBe(404);
    }
    expect((await rawRequest(app.url, 'GET /assets/missing.js HTTP/1.1')).status).toBe(404);
  });

  it("serves the page for the UI's own routes, and a JSON 404 for unknown API routes", async () => {
    const page = await fetch(`${app.url}/sessions/abc`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>aigo ui</title>');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const api = await fetch(`${app.url}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'NOT_FOUND' });
    const post = await fetch(`${app.url}/sessions/abc`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('routes on the path as sent: a request target that looks like a URL names no API route', async () => {
    // new URL() would read "//host/api/..." as a host and the path /api/...: a second spelling
    // of every route that no check of ours expects.
    for (const target of ['//evil.example/api/v1/app', 'http://evil.example/api/v1/app']) {
      const res = await rawRequest(app.url, `GET ${target} HTTP/1.1`);
      expect(res.body, target).not.toContain('"dataDir"');
      if (!target.startsWith('/')) expect(res.status, target).toBe(400);
    }
    const plain = await rawRequest(app.url, 'GET /api/v1/app HTTP/1.1');
    expect(plain.body).toContain('"dataDir"');
  });

  it('hands path parameters to the operation decoded, and refuses a malformed escape with 400', async () => {
    const auth = { authorization: `Bearer ${app.core.token}` };
    // "%2D" is "-": only the decoded id has a session id's shape.
    const escaped = await fetch(`${app.url}/api/v1/container/sessions/20261129%2D125130%2Da1b2`, {
      headers: auth,
    });
    expect(escaped.status).toBe(404);
    expect(await escaped.text()).toContain('No session \\"20261129-125130-a1b2\\"');
    const broken = await rawRequest(app.url, 'GET /api/v1/container/sessions/%E0%A4%A HTTP/1.1');
    expect(broken.status).toBe(400);
    expect(broken.body).toContain('malformed %-escape');
  });

  it('answers HEAD like GET, without the body', async () => {
    const res = await rawRequest(app.url, 'HEAD /api/v1/app HTTP/1.1');
    expect(res.status).toBe(200);
    expect(res.head).toContain('content-type: application/json');
    expect(res.body).toBe('');
  });

  it('cuts off an event stream whose client stopped reading, instead of holding its events', async () => {
    const { hostname, port } = new URL(app.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const before = app.core.bus.listenerCount;
    socket.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${app.core.token}\r\n\r\n`,
    );
    // The stream is open once the server has subscribed for it; then this client reads nothing.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    expect(app.core.bus.listenerCount).toBe(before + 1);
    socket.on('error', () => undefined);
    const payload = { note: 'x'.repeat(64 * 1024) };
    // Several times the bound, more than the kernel's socket buffers take on their own.
    const rounds = Math.ceil((MAX_UNSENT_EVENT_BYTES * 8) / (64 * 1024));
    for (let i = 0; i < rounds; i++) {
      app.core.bus.emit('app.warningsChanged', payload as never);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The stream has let go of the bus: nothing is held for this client any more.
    expect(app.core.bus.listenerCount).toBe(before);
    socket.destroy();
  });
});
