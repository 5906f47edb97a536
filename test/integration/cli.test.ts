import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { AIGO_BIN, runAigo, startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());

describe.runIf(runDocker)('the aigo CLI against a running `aigo serve`', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serve: ServeProcess;
  const env = () => ({ AIGO_DATA_DIR: dir.path });

  beforeAll(async () => {
    dir = await tempDir();
    // A corrupt settings file must not stop the app; it is set aside with a warning.
    await writeFile(join(dir.path, 'settings.json'), '{ not json');
    serve = await startServe(dir.path);
  });
  afterAll(async () => {
    await serve?.stop();
    await dir.cleanup();
  });

  it('prints a tokened web UI link in the fragment, never the query string', () => {
    expect(serve.uiLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{40,}$/);
    expect(serve.output()).toContain('Runtime:  Docker');
    expect(serve.output()).toMatch(/Proxy: {4}credential proxy on 127\.0\.0\.1:\d+ \(0 mappings\)/);
    expect(serve.output()).toMatch(/Image: {4}aigo-agent-runner:latest (missing|ready|outdated)/);
  });

  it('`aigo status` finds the app through the discovery file and shows Docker and the settings warning', () => {
    const result = runAigo(['status'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Runtime:\s+Docker — Docker Engine \S+ at unix:\/\//);
    expect(result.stdout).toContain('Settings could not be loaded');
    expect(result.stdout).toContain('settings.json.corrupt-');
    // The labels line up: every value starts in one column.
    const labelled = result.stdout
      .split('\n')
      .filter((l) => /^(Data folder|Log level|Runtime|Host gateway):/.test(l));
    expect(labelled.length).toBeGreaterThanOrEqual(3);
    expect(new Set(labelled.map((l) => /^[^:]+: +/.exec(l)![0].length)).size).toBe(1);
    // Every service that is not running says why (the agent image is not built here).
    const services = result.stdout.split('Services:')[1]!.split('\n\n')[0]!;
    const notRunning = services.split('\n').filter((l) => /^ {2}! /.test(l));
    expect(notRunning.length).toBeGreaterThan(0);
    for (const line of notRunning) expect(line).toMatch(/ — \S/);
  });

  it('`aigo status -o json` and `-o yaml` print the API data', () => {
    const json = JSON.parse(runAigo(['status', '-o', 'json'], env()).stdout);
    expect(json.runtime.available).toBe(true);
    expect(json.app.dataDir).toBe(dir.path);
    expect(runAigo(['status', '-o', 'yaml'], env()).stdout).toMatch(/^app:\n {2}name: aigo/);
  });

  it('`aigo logs --last 500` prints the app log readably, and --json raw', () => {
    const text = runAigo(['logs', '--last', '500'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}aigo started/);
    expect(text.stdout).toMatch(/WARN {2}\[settings\] Settings file was unreadable/);
    const lines = runAigo(['logs', '--last', '3', '--json'], env()).stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');
  });

  it('`aigo logs --follow` prints new entries as they are written', async () => {
    const follower = spawn(process.execPath, [AIGO_BIN, 'logs', '--last', '1', '--follow'], {
      env: { ...process.env, ...env() },
    });
    let out = '';
    follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await expect.poll(() => out.length).toBeGreaterThan(0);
      const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim();
      await fetch(`${serve.url}/api/v1/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ advanced: { debugLogging: true } }),
      });
      await expect.poll(() => out).toContain('Log level changed');
    } finally {
      follower.kill('SIGINT');
    }
    // "Log level changed" logs the new level as a field: still one "level" key per line.
    const raw = await readFile(join(dir.path, 'logs/aigo.log'), 'utf8');
    const lines = raw.trim().split('\n');
    expect(lines.some((l) => l.includes('Log level changed'))).toBe(true);
    for (const line of lines) expect(line.split('"level":').length - 1, line).toBe(1);
  });

  it('`aigo api` lists the contract and calls any operation with the token', () => {
    const list = runAigo(['api', '--list'], env());
    expect(list.stdout).toMatch(
      /^mounts\.validate\s+POST\s+\/api\/v1\/container\/mounts\/validate/m,
    );
    const verdict = runAigo(
      ['api', 'mounts.validate', JSON.stringify({ hostPath: '/root/.ssh' })],
      env(),
    );
    expect(verdict.code, verdict.stderr).toBe(0);
    expect(JSON.parse(verdict.stdout)).toMatchObject({ allowed: false, code: 'blocked_pattern' });
    const bad = runAigo(['api', 'mounts.validate', '{not json'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    const missing = runAigo(['api', 'proxy.deleteMapping', '{}'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('aigo: Invalid input for proxy.deleteMapping: id is required.\n');
    const unknown = runAigo(['api', 'no.such'], env());
    expect(unknown.stderr).toContain('aigo api --list');
  });

  it('`aigo doctor` lists what is fine and what to fix, exit 0 without a failure', () => {
    const result = runAigo(['doctor'], env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✓ Container runtime: Docker Engine \S+/m);
    expect(result.stdout).toMatch(/^✓ Credential proxy running on 127\.0\.0\.1:\d+/m);
    expect(result.stdout).toMatch(
      /^! No credential mapping — Without one, containers have no API to call/m,
    );
    expect(result.stdout).toContain(
      '→ Settings > Container > Credential Proxy → Add mapping with your API key',
    );
    expect(result.stdout).toMatch(/^! Settings corrupt — Settings could not be loaded/m);
    const json = JSON.parse(runAigo(['doctor', '-o', 'json'], env()).stdout);
    expect(json.status).toBe('warn');
  });

  it('rejects bad arguments with a clear message', () => {
    const result = runAigo(['logs', '--last', 'lots'], env());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('expected a whole number');
  });

  it('the audit-log URL of the guide returns valid JSON', async () => {
    const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim();
    // With the token: where agents share the host's network, reads need it too.
    const res = await fetch(`${serve.url}/api/v1/container/audit-log?limit=500`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(Array.isArray((await res.json()).entries)).toBe(true);
  });

  it('stops cleanly on SIGTERM and removes its discovery file; status then says it is not running', async () => {
    const code = await serve.stop('SIGTERM');
    expect(code).toBe(0);
    expect(existsSync(join(dir.path, 'mgmt-api.json'))).toBe(false);
    const result = runAigo(['status'], env());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('aigo is not running');
  });
});
