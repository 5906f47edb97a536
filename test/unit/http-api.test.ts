import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app';
import { createApp } from '../../src/main/app';
import { fakeHost } from '../helpers/fake-host';
import { AppError } from '../../src/shared/errors';

/** Raw HTTP so the test controls Host and Origin exactly (fetch forbids setting Host). */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

describe('local HTTP API', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    app = await startTestApp();
    auth = { authorization: `Bearer ${app.core.token}`, 'content-type': 'application/json' };
  });
  afterAll(() => app.stop());

  it('answers the guide diagnostics without a token, pretty-printed', async () => {
    const res = await raw(`${app.url}/api/v1/container/runtime`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('"available": false');
    expect(JSON.parse(res.body).checks.length).toBeGreaterThan(0);
  });

  it('refuses a change without the token, and with a wrong one', async () => {
    const none = await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('api-token'),
    });
    const wrong = await raw(`${app.url}/api/v1/container/runtime/recheck`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('accepts a change with the token and applies the log level at once', async () => {
    const res = await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ advanced: { debugLogging: true } }),
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).advanced.debugLogging).toBe(true);
    const status = JSON.parse((await raw(`${app.url}/api/v1/status`)).body);
    expect(status.logLevel).toBe('debug');
    await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ advanced: { debugLogging: false } }),
    });
    expect(JSON.parse((await raw(`${app.url}/api/v1/status`)).body).logLevel).toBe('info');
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign origins', async () => {
    const evil = await raw(`${app.url}/api/v1/container/runtime`, {
      headers: { host: 'evil.example' },
    });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).code).toBe('FORBIDDEN');
    const origin = await raw(`${app.url}/api/v1/container/runtime`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(origin.status).toBe(403);
    const same = await raw(`${app.url}/api/v1/container/runtime`, { headers: { origin: app.url } });
    expect(same.status).toBe(200);
    const localhostName = await raw(`${app.url}/api/v1/app`, {
      headers: { host: `localhost:${app.core.api.port}` },
    });
    expect(localhostName.status).toBe(200);
  });

  it('answers bad input with the error envelope and never a stack trace', async () => {
    const badJson = await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: auth,
      body: '{"advanced":',
    });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).code).toBe('INVALID_JSON');
    const badField = await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ advanced: { debugLogging: 'yes' } }),
    });
    expect(badField.status).toBe(400);
    expect(JSON.parse(badField.body)).toMatchObject({
      code: 'INVALID_INPUT',
      details: { issues: [{ path: 'advanced.debugLogging' }] },
    });
    const unknownKey = await raw(`${app.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ bogus: 1 }),
    });
    expect(unknownKey.status).toBe(400);
    const tooMany = await raw(`${app.url}/api/v1/container/audit-log?limit=10001`);
    expect(tooMany.status).toBe(400);
    const missing = await raw(`${app.url}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).code).toBe('NOT_FOUND');
    for (const body of [badJson.body, badField.body, missing.body])
      expect(body).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('returns the audit log as valid JSON with the guide query', async () => {
    app.core.services.audit.record({
      severity: 'violation',
      category: 'ipc',
      group: 'g1',
      message: 'blocked',
    });
    const res = await raw(`${app.url}/api/v1/container/audit-log?limit=500`);
    const parsed = JSON.parse(res.body);
    expect(parsed.entries[0]).toMatchObject({
      severity: 'violation',
      category: 'ipc',
      group: 'g1',
    });
    app.core.services.audit.record({
      severity: 'warning',
      category: 'ipc',
      message: 'only a warning',
    });
    const violations = JSON.parse(
      (await raw(`${app.url}/api/v1/container/audit-log?severity=violation`)).body,
    ).entries as { severity: string; message: string }[];
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((e) => e.severity === 'violation')).toBe(true);
    expect(violations.map((e) => e.message)).not.toContain('only a warning');
  });

  it('serves an OpenAPI document generated from the contract', async () => {
    const doc = JSON.parse((await raw(`${app.url}/api/v1/openapi.json`)).body);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/container/runtime'].get.operationId).toBe('runtime.get');
  });

  it('pushes events over server-sent events', async () => {
    const controller = new AbortController();
    try {
      const res = await fetch(`${app.url}/api/v1/events`, { signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read(); // ": connected"
      await raw(`${app.url}/api/v1/settings`, {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ runtime: { preferred: 'docker' } }),
      });
      let text = '';
      while (!text.includes('event: settings.changed')) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the event stream ended before the event; got: ${text}`);
        text += new TextDecoder().decode(chunk.value);
      }
      expect(text).toContain('"preferred":"docker"');
    } finally {
      controller.abort();
    }
  });

  it('keeps the token file private and writes a discovery file', async () => {
    const mode = (await stat(join(app.dataDir, 'api-token'))).mode & 0o777;
    expect(mode).toBe(0o600);
    const discovery = JSON.parse(await readFile(join(app.dataDir, 'mgmt-api.json'), 'utf8'));
    expect(discovery).toMatchObject({ url: app.url, pid: process.pid, mode: 'headless' });
  });
});

describe('API server start-up', () => {
  it('refuses a second instance on the same data folder, naming the first, and takes over a stale lock', async () => {
    const first = await startTestApp();
    const error = (await createApp({
      mode: 'headless',
      dataDir: first.dataDir,
      port: 0,
      proxyPort: 0,
      hostEnv: fakeHost(),
    }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(
      `aigo is already running with the data folder ${first.dataDir} (process ${process.pid} at ${first.url}; lock ${join(first.dataDir, 'aigo.lock')})`,
    );
    expect(existsSync(join(first.dataDir, 'mgmt-api.json'))).toBe(true); // the failed start did not remove the first one's
    await first.core.stop();
    // Left by a process that died: the pid of a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    await writeFile(join(first.dataDir, 'aigo.lock'), `${dead}\n`);
    // A pid now used by another program (the start time differs) is not a running aigo either.
    await writeFile(
      join(first.dataDir, 'aigo.lock'),
      JSON.stringify({ pid: process.ppid, started: 'not-this-one' }),
    );
    const reused = await createApp({
      mode: 'headless',
      dataDir: first.dataDir,
      port: 0,
      proxyPort: 0,
      hostEnv: fakeHost(),
    });
    await reused.stop();
    const again = await createApp({
      mode: 'headless',
      dataDir: first.dataDir,
      port: 0,
      proxyPort: 0,
      hostEnv: fakeHost(),
    });
    await again.stop();
    expect(existsSync(join(first.dataDir, 'aigo.lock'))).toBe(false);
    await rm(first.dataDir, { recursive: true, force: true });
  });

  it('names the port and the fix when the port is taken, and removes its discovery file on stop', async () => {
    const first = await startTestApp();
    const port = first.core.api.port;
    const error = await createApp({
      mode: 'headless',
      dataDir: `${first.dataDir}-second`,
      port,
      proxyPort: 0,
      hostEnv: fakeHost(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toContain(`Port ${port}`);
    expect((error as AppError).message).toContain('--port');
    const discovery = join(first.dataDir, 'mgmt-api.json');
    await first.core.stop();
    await expect(stat(discovery)).rejects.toThrow();
    await rm(`${first.dataDir}-second`, { recursive: true, force: true });
    await rm(first.dataDir, { recursive: true, force: true });
  });
});
