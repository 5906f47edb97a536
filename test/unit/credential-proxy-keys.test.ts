import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppError } from '../../src/shared/errors';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { startProxyHarness } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/temp';

const REAL_KEY = 'sk-ant-api03-BOUNDKEY-0123456789abcdefghijklmnop';
const NEW_KEY = 'sk-ant-api03-NEWKEY00-0123456789abcdefghijklmnop';
const ORPHAN_KEY = 'sk-ant-api03-ORPHANED-0123456789abcdefghijklmno';

describe('credential proxy keys: bound to their origin, never followed elsewhere', () => {
  let home: Awaited<ReturnType<typeof startFakeUpstream>>;
  let elsewhere: Awaited<ReturnType<typeof startFakeUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;
  const create = (upstreamUrl: string, placeholder: string, apiKey = REAL_KEY) =>
    proxy.service.createMapping({
      name: placeholder,
      kind: 'anthropic',
      upstreamUrl,
      placeholder,
      auth: { type: 'x-api-key' },
      apiKey,
    });

  beforeAll(async () => {
    home = await startFakeUpstream({ apiKey: REAL_KEY });
    elsewhere = await startFakeUpstream({ apiKey: NEW_KEY });
    proxy = await startProxyHarness();
  });
  afterAll(async () => {
    await proxy.stop();
    await home.close();
    await elsewhere.close();
  });
  afterEach(() => vi.restoreAllMocks());

  // Item 8: a key must never follow a redirect to another server.
  it('Test does not follow a redirect: the key stays home and the result names the redirect', async () => {
    home.route('/redir/v1/models', (_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/v1/models` });
      res.end();
    });
    const mapping = await create(`${home.url}/redir`, 'REDIRECT_PLACEHOLDER');
    const before = elsewhere.requests.length;
    const result = await proxy.service.testMapping(mapping.id);
    expect(elsewhere.requests.length).toBe(before);
    expect(result).toMatchObject({ result: 'error', status: 302 });
    expect(result.message).toContain(`redirects to ${elsewhere.url}/v1/models`);
    expect(result.message).toContain('Set the upstream URL');
    expect(result.message).not.toContain(REAL_KEY);
  });

  it('the proxy hands a redirect back to the container instead of following it with the key', async () => {
    home.route('/moved', (_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v1/messages` });
      res.end();
    });
    await create(home.url, 'MOVED_PLACEHOLDER');
    const token = proxy.service.containerConfig('redirect-session').token;
    const before = elsewhere.requests.length;
    const res = await proxy.send('/moved', {
      'x-api-key': 'MOVED_PLACEHOLDER',
      'x-aigo-session': token,
    });
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(`${elsewhere.url}/v1/messages`);
    expect(elsewhere.requests.length).toBe(before);
  });

  // Item 9: a key belongs to the origin it was entered for.
  it('refuses to move a mapping to another origin unless its key is entered again', async () => {
    const mapping = await create(home.url, 'MOVE_PLACEHOLDER');
    const httpsToo = home.url.replace('http:', 'https:');
    for (const upstreamUrl of [elsewhere.url, `${elsewhere.url}/v1`, httpsToo]) {
      const error = (await proxy.service
        .updateMapping({ id: mapping.id, upstreamUrl })
        .catch((e: unknown) => e)) as AppError;
      expect(error.code, upstreamUrl).toBe('INVALID_INPUT');
      expect(error.message).toContain('enter the API key again');
      expect(error.message).not.toContain(REAL_KEY);
    }
    const before = elsewhere.requests.length;
    expect((await proxy.service.testMapping(mapping.id)).result).toBe('reachable');
    expect(elsewhere.requests.length).toBe(before);
    // Only the path changes: the key may stay.
    const samePlace = await proxy.service.updateMapping({
      id: mapping.id,
      upstreamUrl: `${home.url}/api`,
    });
    expect(samePlace.hasKey).toBe(true);
    // With the key entered again, the mapping may move, and the new key goes to the new origin.
    const moved = await proxy.service.updateMapping({
      id: mapping.id,
      upstreamUrl: elsewhere.url,
      apiKey: NEW_KEY,
    });
    expect(moved.upstreamUrl).toBe(elsewhere.url);
    expect((await proxy.service.testMapping(mapping.id)).result).toBe('reachable');
    expect(elsewhere.requests.at(-1)!.headers['x-api-key']).toBe(NEW_KEY);
  });

  it('a key stays bound to its origin even when the settings file is edited behind the app', async () => {
    const dir = await tempDir();
    const first = await startProxyHarness({ dataDir: dir.path });
    const mapping = await first.service.createMapping({
      name: 'Edited',
      kind: 'anthropic',
      upstreamUrl: home.url,
      placeholder: 'EDITED_PLACEHOLDER',
      auth: { type: 'x-api-key' },
      apiKey: REAL_KEY,
    });
    await first.stop(false);
    const file = join(dir.path, 'credential-proxy.json');
    await writeFile(file, (await readFile(file, 'utf8')).split(home.url).join(elsewhere.url));
    const second = await startProxyHarness({ dataDir: dir.path });
    try {
      const before = elsewhere.requests.length;
      const result = await second.service.testMapping(mapping.id);
      expect(result.result).toBe('error');
      expect(result.message).toContain('enter the API key again');
      const token = second.service.containerConfig('edited-session').token;
      const res = await second.send('/v1/messages', {
        'x-api-key': 'EDITED_PLACEHOLDER',
        'x-aigo-session': token,
      });
      expect(res.status).toBe(401);
      expect(res.body).toContain('enter');
      expect(elsewhere.requests.length).toBe(before);
      expect(second.service.view().mappings[0]?.hasKey).toBe(false);
    } finally {
      await second.stop(false);
      await dir.cleanup();
    }
  });

  // Item 14: a crash never leaves a key without its mapping, nor temp copies of the keys.
  it('a failure between the two writes of a delete never leaves a key without its mapping', async () => {
    const dir = await tempDir();
    const h = await startProxyHarness({ dataDir: dir.path });
    try {
      const onDisk = async () => ({
        mappings: (
          JSON.parse(await readFile(join(dir.path, 'credential-proxy.json'), 'utf8')) as {
            mappings: { id: string }[];
          }
        ).mappings.map((m) => m.id),
        keys: Object.keys(
          (
            JSON.parse(await readFile(join(dir.path, 'secrets.json'), 'utf8')) as {
              entries: Record<string, string>;
            }
          ).entries,
        ),
      });
      const store = (h.service as unknown as { store: { replace(): Promise<unknown> } }).store;
      for (const crash of ['secrets', 'mappings'] as const) {
        const m = await h.service.createMapping({
          name: crash,
          kind: 'anthropic',
          upstreamUrl: home.url,
          placeholder: `CRASH_${crash.toUpperCase()}`,
          auth: { type: 'x-api-key' },
          apiKey: REAL_KEY,
        });
        const spy =
          crash === 'secrets'
            ? vi.spyOn(h.secrets, 'delete').mockRejectedValueOnce(new Error('crash'))
            : vi.spyOn(store, 'replace').mockRejectedValueOnce(new Error('crash'));
        await expect(h.service.deleteMapping(m.id)).rejects.toThrow('crash');
        spy.mockRestore();
        const disk = await onDisk();
        for (const key of disk.keys) expect(disk.mappings, `${crash}: ${key}`).toContain(key);
      }
    } finally {
      await h.stop(false);
      await dir.cleanup();
    }
  });

  it('starting on what a crash left removes orphan keys (audited) and stale temp copies', async () => {
    const dir = await tempDir();
    const kept = randomUUID();
    const orphan = randomUUID();
    const now = new Date().toISOString();
    await writeFile(
      join(dir.path, 'credential-proxy.json'),
      JSON.stringify({
        mappings: [
          {
            id: kept,
            name: 'Kept',
            upstreamUrl: home.url,
            placeholder: 'KEPT_PLACEHOLDER',
            createdAt: now,
            updatedAt: now,
          },
        ],
      }),
    );
    const secrets = JSON.stringify({
      codec: 'file-0600',
      entries: { [kept]: REAL_KEY, [orphan]: ORPHAN_KEY },
    });
    await writeFile(join(dir.path, 'secrets.json'), secrets, { mode: 0o600 });
    const temps = ['.secrets.json.0a1b2c3d4e5f.tmp', '.credential-proxy.json.tmp'];
    for (const t of temps) await writeFile(join(dir.path, t), secrets, { mode: 0o600 });
    const h = await startProxyHarness({ dataDir: dir.path });
    try {
      await h.stop(false);
      const left = await readdir(dir.path);
      for (const t of temps) expect(left).not.toContain(t);
      const file = await readFile(join(dir.path, 'secrets.json'), 'utf8');
      expect(file).not.toContain(ORPHAN_KEY);
      expect(file).toContain(kept);
      expect((await stat(join(dir.path, 'secrets.json'))).mode & 0o777).toBe(0o600);
      const audit = await readFile(join(dir.path, 'audit', 'audit.jsonl'), 'utf8');
      const entry = audit
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { message: string; details: { id?: string } })
        .find((e) => e.details.id === orphan);
      expect(entry?.message).toContain('orphan');
      expect(audit).not.toContain(ORPHAN_KEY);
      expect(audit).not.toContain(REAL_KEY);
    } finally {
      await dir.cleanup();
    }
  });
});
