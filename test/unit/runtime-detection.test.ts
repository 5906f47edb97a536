import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dockerCandidates,
  isRemoteEndpoint,
  parseEndpoint,
} from '../../src/main/services/runtime/candidates';
import { join } from 'node:path';
import { detectRuntime, summariseFailure } from '../../src/main/services/runtime/detect';
import { engineDisk, lowDiskMessage } from '../../src/main/services/runtime/disk';
import { dockerRemedy, versionAtLeast } from '../../src/main/services/runtime/remedies';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { fakeHost } from '../helpers/fake-host';
import { startFakeDockerApi } from '../helpers/fake-docker-api';
import { tempDir } from '../helpers/temp';

const runtimeSettings = (patch: Partial<ReturnType<typeof defaultSettings>['runtime']> = {}) => ({
  ...defaultSettings().runtime,
  ...patch,
});

describe('Docker candidates', () => {
  it('tries only the setting when there is one; else DOCKER_HOST, then the usual sockets, without duplicates', () => {
    const host = fakeHost({
      env: { DOCKER_HOST: 'unix:///var/run/docker.sock', XDG_RUNTIME_DIR: '/run/user/1000' },
    });
    expect(
      dockerCandidates(host, runtimeSettings({ dockerHost: '/custom/docker.sock' })).map(
        (c) => c.endpoint,
      ),
    ).toEqual(['unix:///custom/docker.sock']);
    const list = dockerCandidates(host, runtimeSettings()).map((c) => c.endpoint);
    expect(list[0]).toBe('unix:///var/run/docker.sock');
    expect(list.filter((e) => e === 'unix:///var/run/docker.sock')).toHaveLength(1);
    expect(list).toContain('unix:///home/tester/.docker/run/docker.sock');
    expect(list).toContain('unix:///home/tester/.colima/default/docker.sock');
    expect(list).toContain('unix:///home/tester/.orbstack/run/docker.sock');
    expect(list).toContain('unix:///run/user/1000/podman/podman.sock');
  });

  it("gives each missing product its own cause and fix, not six copies of Docker's", async () => {
    const { status } = await detectRuntime(
      fakeHost({ platform: 'darwin', commands: ['colima'] }),
      runtimeSettings({ preferred: 'docker' }),
    );
    const byLabel = Object.fromEntries(status.checks.map((c) => [c.label, c]));
    expect(byLabel.Colima).toMatchObject({
      status: 'not_running',
      fix: ['colima start', 'docker version'],
    });
    expect(byLabel.OrbStack).toMatchObject({ status: 'not_installed', fix: [] });
    expect(byLabel.OrbStack?.message).toMatch(/^OrbStack is not installed/);
    expect(byLabel['Podman machine']?.message).toMatch(/^Podman is not installed/);
    const messages = status.checks.map((c) => c.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('uses the named pipe on Windows', () => {
    expect(dockerCandidates(fakeHost({ platform: 'win32' }), runtimeSettings())[0]?.endpoint).toBe(
      'npipe:////./pipe/docker_engine',
    );
  });

  it('parses endpoints and rejects what it cannot use', () => {
    expect(parseEndpoint('tcp://127.0.0.1:2375')).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
      tls: false,
    });
    expect(parseEndpoint('unix:///x.sock')).toEqual({ kind: 'socket', socketPath: '/x.sock' });
    expect(parseEndpoint('ssh://me@box')).toEqual({
      kind: 'ssh',
      user: 'me',
      host: 'box',
      port: 22,
    });
    expect(parseEndpoint('ssh://box:2222')).toEqual({
      kind: 'ssh',
      user: null,
      host: 'box',
      port: 2222,
    });
    expect(parseEndpoint('ftp://box').kind).toBe('invalid');
  });

  it('tells an engine on another machine from one on this computer', () => {
    expect(isRemoteEndpoint('ssh://me@build-box')).toBe(true);
    expect(isRemoteEndpoint('tcp://build-box.example:2376')).toBe(true);
    expect(isRemoteEndpoint('tcp://127.0.0.1:2375')).toBe(false);
    expect(isRemoteEndpoint('ssh://me@localhost:2222')).toBe(false);
    expect(isRemoteEndpoint('unix:///var/run/docker.sock')).toBe(false);
  });
});

describe('remedies', () => {
  it('gives the guide commands for each Linux cause', () => {
    expect(
      dockerRemedy('permission_denied', 'linux', { endpoint: 'unix:///var/run/docker.sock' }).fix,
    ).toEqual(
      expect.arrayContaining([
        'sudo usermod -aG docker $USER',
        expect.stringContaining('newgrp docker'),
      ]),
    );
    expect(dockerRemedy('not_running', 'linux', { endpoint: 'x' }).fix).toContain(
      'sudo systemctl start docker',
    );
    expect(dockerRemedy('not_running', 'darwin', { endpoint: 'x' }).fix[0]).toContain(
      'Docker Desktop',
    );
  });

  it('compares versions ignoring distribution suffixes', () => {
    expect(versionAtLeast('20.10.24+dfsg1', '20.10.0')).toBe(true);
    expect(versionAtLeast('19.03.15', '20.10.0')).toBe(false);
    expect(versionAtLeast('4.9.3', '4.0.0')).toBe(true);
  });
});

describe('detectRuntime against Docker API peers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await dir.cleanup();
  });

  const engineHost = async (engine: Parameters<typeof startFakeDockerApi>[1]) => {
    const fake = await startFakeDockerApi(dir.path, engine);
    closers.push(fake.close);
    return fakeHost({
      env: { DOCKER_HOST: `unix://${fake.socketPath}` },
      realSocketsUnder: dir.path,
      commands: ['docker'],
    });
  };

  it('finds a Docker engine and reports its version and a host-network gateway when there is no bridge', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '27.3.1' }),
      runtimeSettings(),
    );
    expect(status).toMatchObject({
      available: true,
      backend: 'docker',
      product: 'Docker Engine',
      version: '27.3.1',
    });
    expect(status.networking).toMatchObject({ hostGateway: '127.0.0.1', source: 'host_network' });
  });

  it('calls an engine that answers ping but fails real commands "commands fail", with its error', async () => {
    const engineError = 'Error response from daemon: layer store is corrupt';
    const { status } = await detectRuntime(
      await engineHost({ version: '27.3.1', commandsFail: engineError }),
      runtimeSettings(),
    );
    expect(status.available).toBe(false);
    const check = status.checks.find(
      (c) => c.backend === 'docker' && c.status !== 'not_applicable',
    );
    expect(check).toMatchObject({ status: 'commands_fail' });
    expect(check?.message).toContain(engineError);
    expect(check?.message).toMatch(/answers but its commands fail/);
    expect(check?.fix.join('\n')).toMatch(/restart docker|Quit and reopen/);
    expect(check?.fix.join('\n')).toMatch(/disk space/);
    expect(status.message).toContain(engineError);
  });

  it('reports free space where the engine keeps images, and warns when it is low', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '27.3.1', rootDir: dir.path }),
      runtimeSettings(),
    );
    expect(status.disk).toMatchObject({ path: dir.path, low: expect.any(Boolean) });
    expect(status.disk!.freeBytes).toBeGreaterThan(0);
    expect(status.disk!.totalBytes).toBeGreaterThanOrEqual(status.disk!.freeBytes);
    const low = await engineDisk(dir.path, Number.POSITIVE_INFINITY);
    expect(low?.low).toBe(true);
    expect(lowDiskMessage(low!)).toMatch(/^Only \d+\.\d GB free on .+docker system prune/);
    expect(await engineDisk(join(dir.path, 'missing'))).toBeNull();
  });

  it('uses only the endpoint the user chose: when it does not answer, no other socket stands in', async () => {
    const host = await engineHost({ version: '27.3.1' }); // a working engine at DOCKER_HOST
    const chosen = `unix://${join(dir.path, 'nothing-here.sock')}`;
    const { status } = await detectRuntime(host, runtimeSettings({ dockerHost: chosen }));
    expect(status.available).toBe(false);
    expect(
      status.checks.filter((c) => c.status !== 'not_applicable').map((c) => c.endpoint),
    ).toEqual([chosen]);
    expect(status.message).toContain(join(dir.path, 'nothing-here.sock'));
  });

  it('tells Podman from Docker', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '4.9.3', podman: true }),
      runtimeSettings(),
    );
    expect(status).toMatchObject({ available: true, product: 'Podman', version: '4.9.3' });
    expect(status.networking.hostGateway).toBe('host.containers.internal');
  });

  it('tells a rootless engine from a rootful one', async () => {
    const rootless = await detectRuntime(
      await engineHost({ version: '4.9.3', podman: true, rootless: true }),
      runtimeSettings(),
    );
    expect(rootless.status).toMatchObject({ available: true, product: 'Podman', rootless: true });
    const rootful = await detectRuntime(
      await engineHost({ version: '4.9.3', podman: true }),
      runtimeSettings(),
    );
    expect(rootful.status.rootless).toBe(false);
  });

  it('puts containers on the host network when Settings say so, whatever bridges the engine has', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '4.9.3', podman: true }),
      runtimeSettings({ agentNetwork: 'host' }),
    );
    expect(status.networking).toMatchObject({
      hostGateway: '127.0.0.1',
      extraRunArgs: ['--network=host'],
      source: 'host_network',
    });
  });

  it('knows Docker Desktop by its operating system and uses host.docker.internal', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '27.0.0', operatingSystem: 'Docker Desktop' }),
      runtimeSettings(),
    );
    expect(status).toMatchObject({
      product: 'Docker Desktop',
      networking: { hostGateway: 'host.docker.internal' },
    });
  });

  it('refuses an engine that is too old, with the reason', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '19.03.5', apiVersion: '1.40' }),
      runtimeSettings(),
    );
    expect(status.available).toBe(false);
    expect(status.checks.find((c) => c.status === 'too_old')?.message).toContain(
      '19.03.5 is too old',
    );
    expect(status.message).toContain('too old');
  });

  it('honours a host-gateway override from settings', async () => {
    const { status } = await detectRuntime(
      await engineHost({ version: '27.0.0' }),
      runtimeSettings({ hostGatewayOverride: '10.0.0.1' }),
    );
    expect(status.networking).toMatchObject({ hostGateway: '10.0.0.1', source: 'settings' });
  });

  it('says "not installed" when there is neither a socket nor a docker command', async () => {
    const { status } = await detectRuntime(fakeHost(), runtimeSettings());
    expect(status.available).toBe(false);
    expect(
      status.checks
        .filter((c) => c.backend === 'docker')
        .every((c) => c.status === 'not_installed'),
    ).toBe(true);
    expect(status.message).toMatch(/^No container runtime is installed/);
  });

  it('says "not running" with systemctl when docker is installed but no daemon answers', async () => {
    const { status } = await detectRuntime(fakeHost({ commands: ['docker'] }), runtimeSettings());
    expect(status.checks[1]).toMatchObject({
      endpoint: 'unix:///var/run/docker.sock',
      status: 'not_running',
    });
    expect(status.message).toContain('sudo systemctl start docker');
  });

  /** A macOS 15 Apple Silicon host whose `container system status` answers as given. */
  const appleHost = (status: { code: number; stdout: string; stderr: string }) =>
    fakeHost({
      platform: 'darwin',
      arch: 'arm64',
      darwinMajor: 24,
      commands: ['container'],
      run: async (_cmd, args) =>
        args[0] === '--version'
          ? { code: 0, stdout: 'container CLI version 0.5.0\n', stderr: '' }
          : status,
    });

  it('prefers a running Apple Container on macOS 15 Apple Silicon and reads its gateway', async () => {
    const host = appleHost({
      code: 0,
      stdout: 'apiserver is running\nnetwork gateway: 192.168.65.1\n',
      stderr: '',
    });
    const { status } = await detectRuntime(host, runtimeSettings());
    expect(status).toMatchObject({
      available: true,
      backend: 'apple_container',
      version: '0.5.0',
      networking: { hostGateway: '192.168.65.1' },
    });
  });

  it('tells the user to run `container system start` when Apple Container is stopped', async () => {
    const host = appleHost({ code: 1, stdout: '', stderr: 'apiserver is not running' });
    const { status } = await detectRuntime(host, runtimeSettings({ preferred: 'apple_container' }));
    expect(status.available).toBe(false);
    expect(status.checks).toHaveLength(1);
    expect(status.checks[0]).toMatchObject({
      status: 'not_running',
      fix: ['container system start'],
    });
  });

  it('summarises the most actionable failure first', () => {
    const check = (status: 'not_installed' | 'permission_denied') => ({
      backend: 'docker' as const,
      endpoint: 'e',
      label: 'l',
      status,
      message: status,
      fix: ['do it'],
      version: null,
      durationMs: 0,
    });
    expect(
      summariseFailure([check('not_installed'), check('permission_denied')], 'auto'),
    ).toContain('permission_denied Fix: do it');
  });
});
