import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realHostEnv } from '../../src/main/services/runtime/host-env';
import { startTestApp } from '../helpers/app';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());
const REAL_KEY = 'sk-ant-api03-CONTAINERTEST-abcdefghijklmnopqrstuvwxyz';

describe.runIf(runDocker)('a real container calls the credential proxy', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let image: string;

  beforeAll(async () => {
    image = ensureBusyboxImage();
    upstream = await startFakeUpstream({ apiKey: REAL_KEY });
    // The real runtime: with no Docker bridge here, containers share the host network.
    app = await startTestApp({ hostEnv: realHostEnv() });
    await app.core.services.proxy.createMapping({
      name: 'Anthropic',
      kind: 'anthropic',
      upstreamUrl: upstream.url,
      auth: { type: 'x-api-key' },
      apiKey: REAL_KEY,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await upstream?.close();
  });

  it('reaches the upstream with the placeholder and its session token, and holds no real key', async () => {
    const config = app.core.services.proxy.containerConfig('container-test');
    const docker = new Docker();
    // What the agent runner does: call $ANTHROPIC_BASE_URL with the placeholder key and the session header.
    const script =
      'busybox wget -q -O - --header "x-api-key: $ANTHROPIC_API_KEY" --header "x-aigo-session: $AIGO_PROXY_TOKEN" ' +
      '--header "content-type: application/json" --post-data \'{"model":"m"}\' "$ANTHROPIC_BASE_URL/v1/messages"';
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['sh', '-c', script],
      User: '1000:1000',
      Env: Object.entries(config.env).map(([k, v]) => `${k}=${v}`),
      Labels: { 'aigo.test': '1' },
      HostConfig: { NetworkMode: 'host', ExtraHosts: config.extraHosts },
    });
    try {
      const inspected = JSON.stringify(await container.inspect());
      expect(inspected).not.toContain(REAL_KEY);
      expect(inspected).toContain('ANTHROPIC_API_KEY=CREDENTIAL_PROXY_PLACEHOLDER');
      expect(inspected).toMatch(/ANTHROPIC_BASE_URL=http:\/\/host-gateway:\d+/);
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      expect(StatusCode, logs).toBe(0);
      expect(logs).toContain('hello from upstream');
      expect(upstream.requests.at(-1)!.headers['x-api-key']).toBe(REAL_KEY);
    } finally {
      await container.remove({ force: true });
      app.core.services.proxy.revokeSession('container-test');
    }
  });
});
