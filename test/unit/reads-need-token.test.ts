import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app';
import { startFakeDockerApi } from '../helpers/fake-docker-api';
import { fakeHost } from '../helpers/fake-host';
import { tempDir } from '../helpers/temp';

/**
 * Docker Desktop (and OrbStack, Podman machines) forward host.docker.internal to this
 * computer's 127.0.0.1, so an agent there reaches the local API: without the token it must
 * learn nothing, not even through a read or the event stream.
 */
describe('reads on an engine that forwards to the host loopback', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let closeEngine: () => Promise<void>;

  beforeAll(async () => {
    dir = await tempDir('aigo-reads-');
    const fake = await startFakeDockerApi(dir.path, {
      version: '27.3.1',
      operatingSystem: 'Docker Desktop',
    });
    closeEngine = fake.close;
    app = await startTestApp({
      hostEnv: fakeHost({
        platform: 'darwin',
        darwinMajor: 24,
        env: { DOCKER_HOST: `unix://${fake.socketPath}` },
        realSocketsUnder: dir.path,
        commands: ['docker'],
      }),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await closeEngine?.();
    await dir?.cleanup();
  });

  it('answers 401 to a read and to the event stream without the token, and 200 with it', async () => {
    const runtime = (await (
      await fetch(`${app.url}/api/v1/container/runtime`, {
        headers: { authorization: `Bearer ${app.core.token}` },
      })
    ).json()) as { networking: { source: string } };
    expect(runtime.networking.source).toBe('docker_desktop');
    for (const path of [
      '/api/v1/container/sessions',
      '/api/v1/container/audit-log',
      '/api/v1/events',
    ]) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { message: string }).message).toContain(
        "this computer's localhost",
      );
    }
    const ok = await fetch(`${app.url}/api/v1/container/sessions`, {
      headers: { authorization: `Bearer ${app.core.token}` },
    });
    expect(ok.status).toBe(200);
  });
});
