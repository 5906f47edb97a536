import { execFileSync, spawnSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRuntime } from '../../src/main/services/runtime/detect';
import { realHostEnv, type HostEnv } from '../../src/main/services/runtime/host-env';
import { defaultSettings } from '../../src/shared/schemas/settings';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';
import { startTestApp } from '../helpers/app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { startSocketProxy } from '../helpers/socket-proxy';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());
/** The engine under test: DOCKER_HOST's socket (the Podman pass), else Docker's own. */
const DOCKER_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';

describe.runIf(runDocker)('runtime detection against the real Docker engine', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
    await chmod(dir.path, 0o755);
  });
  afterAll(() => dir.cleanup());

  it('sees the engine with the version `docker version` reports', async () => {
    const expected = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'])
      .toString()
      .trim();
    const { status } = await detectRuntime(realHostEnv(), defaultSettings().runtime);
    expect(status).toMatchObject({ available: true, backend: 'docker', version: expected });
    expect(status.networking.hostGateway).toBeTruthy();
  });

  it('reports a stopped engine through the API within 10 s, with the not-running fix, and recovers', async () => {
    const proxyPath = join(dir.path, 'engine.sock');
    let proxy = await startSocketProxy(proxyPath, DOCKER_SOCKET);
    // A machine whose only engine is the one behind DOCKER_HOST: hide the default socket.
    const real = realHostEnv();
    const host: HostEnv = {
      ...real,
      env: { ...process.env, DOCKER_HOST: `unix://${proxyPath}` },
      socketExists: async (p) => p.startsWith(dir.path) && real.socketExists(p),
    };
    const app = await startTestApp({
      hostEnv: host,
      runtimeTiming: { healthIntervalMs: 60_000, retryMinMs: 200, retryMaxMs: 1000 },
    });
    const runtime = async (): Promise<RuntimeStatus> =>
      (
        await fetch(`${app.url}/api/v1/container/runtime`, {
          headers: { authorization: `Bearer ${app.core.token}` },
        })
      ).json() as Promise<RuntimeStatus>;
    try {
      expect((await runtime()).available).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // let the event stream settle
      const stoppedAt = Date.now();
      await proxy.close();
      let status = await runtime();
      while (status.available && Date.now() - stoppedAt < 10_000) {
        await new Promise((r) => setTimeout(r, 100));
        status = await runtime();
      }
      const noticedMs = Date.now() - stoppedAt;
      process.stdout.write(`engine loss noticed by the API after ${noticedMs} ms\n`);
      expect(status.available).toBe(false);
      expect(noticedMs).toBeLessThan(10_000);
      const check = status.checks.find((c) => c.endpoint === `unix://${proxyPath}`);
      expect(check?.status).toBe('not_running');
      expect(status.message).toContain('sudo systemctl start docker');

      proxy = await startSocketProxy(proxyPath, DOCKER_SOCKET);
      const restartedAt = Date.now();
      while (!(await runtime()).available && Date.now() - restartedAt < 10_000)
        await new Promise((r) => setTimeout(r, 100));
      expect((await runtime()).available).toBe(true);
    } finally {
      await app.stop();
      await proxy.close();
    }
  });

  it('reports "permission denied" with the docker-group fix for a user outside the docker group', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip(); // needs root to run the probe as another user
    const home = join(dir.path, 'nobody-home');
    execFileSync('mkdir', ['-p', home]);
    execFileSync('chown', ['65534:65534', home]);
    const probe = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../fixtures/probe-runtime.ts')],
      {
        uid: 65534,
        gid: 65534,
        cwd: join(import.meta.dirname, '../..'),
        env: {
          PATH: process.env.PATH,
          HOME: home,
          TSX_TSCONFIG_PATH: join(import.meta.dirname, '../../tsconfig.json'),
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(probe.stderr).toBe('');
    const status = JSON.parse(probe.stdout) as RuntimeStatus;
    // Docker's own socket and its group: the probe runs without DOCKER_HOST, whichever engine
    // the rest of this suite runs against.
    const check = status.checks.find((c) => c.endpoint === 'unix:///var/run/docker.sock');
    expect(check?.status).toBe('permission_denied');
    expect(check?.fix).toContain('sudo usermod -aG docker $USER');
    expect(status.available).toBe(false);
    expect(status.message).toContain('Permission denied');
  });
});
