import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app';
import { startFakeUpstream } from '../helpers/fake-upstream';

const KEY = 'sk-ant-test-debuglog-0123456789abcdefghij';

/** With Debug Logging on, each service says what it decided — and never a key. */
describe('Debug Logging', () => {
  it('logs runtime probes, mount decisions with their rule, and proxied requests without keys', async () => {
    const upstream = await startFakeUpstream({ apiKey: KEY });
    const app = await startTestApp();
    const logDir = join(app.dataDir, 'logs');
    try {
      await app.core.dispatch('settings.update', { advanced: { debugLogging: true } });
      await app.core.dispatch('runtime.recheck', {});
      await app.core.dispatch('mounts.validate', { hostPath: '/definitely/not/here' });
      await app.core.dispatch('proxy.createMapping', {
        name: 'Fake',
        kind: 'anthropic',
        upstreamUrl: upstream.url,
        apiKey: KEY,
      });
      const proxy = app.core.services.proxy;
      const config = proxy.containerConfig('debug-session');
      const status = proxy.status();
      const res = await fetch(`http://127.0.0.1:${status.port}/v1/models`, {
        headers: { 'x-api-key': 'CREDENTIAL_PROXY_PLACEHOLDER', 'x-aigo-session': config.token },
      });
      await res.arrayBuffer();
    } finally {
      await app.core.stop();
      await upstream.close();
    }
    const files = (await readdir(logDir)).filter((f) => f.endsWith('.log'));
    const text = (await Promise.all(files.map((f) => readFile(join(logDir, f), 'utf8')))).join(
      '\n',
    );
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const find = (msg: string) => lines.find((l) => l.msg === msg);
    expect(find('Runtime probes')?.probes).toEqual(expect.any(Array));
    expect(find('Mount decision')).toMatchObject({ allowed: false, rule: 'not_found' });
    expect(find('Proxied a request')).toMatchObject({
      method: 'GET',
      mapping: 'Fake',
      status: 200,
    });
    expect(text).not.toContain(KEY);
  });
});
