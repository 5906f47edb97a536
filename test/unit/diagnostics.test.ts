import { describe, expect, it } from 'vitest';
import { diagnose, type DiagnosticsInput } from '../../src/main/services/app/diagnostics';
import { blankImageStatus } from '../../src/main/services/image/image-service';
import type { ImageStatus } from '../../src/shared/schemas/image';
import type { ProxyMappingView } from '../../src/shared/schemas/proxy';

const runtimeOk: DiagnosticsInput['runtime'] = {
  available: true,
  backend: 'docker',
  product: 'Docker Engine',
  version: '27.0.0',
  apiVersion: '1.46',
  endpoint: 'unix:///var/run/docker.sock',
  networking: { hostGateway: '172.17.0.1', extraRunArgs: [], source: 'docker0' },
  disk: {
    path: '/var/lib/docker',
    freeBytes: 50 * 1024 ** 3,
    totalBytes: 100 * 1024 ** 3,
    low: false,
  },
  message: 'ok',
  checks: [],
  checkedAt: '',
};
const image = (state: ImageStatus['state'], hint: string | null = null): ImageStatus => ({
  ...blankImageStatus('aigo-agent-runner:latest'),
  state,
  hint,
});
const mapping = (extra: Partial<ProxyMappingView> = {}): ProxyMappingView => ({
  id: 'm1',
  name: 'Anthropic',
  kind: 'anthropic',
  upstreamUrl: 'https://api.anthropic.com',
  placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
  auth: { type: 'x-api-key' },
  createdAt: '',
  updatedAt: '',
  hasKey: true,
  keyLast4: '…abcd',
  lastStatus: null,
  lastUsedAt: null,
  ...extra,
});
const proxy = (
  running: boolean,
  mappings: ProxyMappingView[],
  enabled = true,
): DiagnosticsInput['proxy'] => ({
  status: {
    running,
    enabled,
    port: 3001,
    bindAddress: '172.17.0.1',
    mappingCount: mappings.length,
    strict: true,
    requestsTotal: 0,
    requestsFailed: 0,
    lastError: running ? null : 'Port 3001 on 172.17.0.1 is already in use',
    containerBaseUrl: 'http://host-gateway:3001',
    mappings: [],
  },
  config: { enabled, port: 3001, bindAddress: null, strict: true, upstreamTimeoutMs: 600_000 },
  mappings,
  presets: [],
});
const mounts = (roots: DiagnosticsInput['mounts']['roots'] = []): DiagnosticsInput['mounts'] => ({
  policy: {
    allowedRoots: roots,
    blockedPatterns: [],
    nonMainReadOnly: true,
    exposeGitCredentials: false,
  },
  roots,
  defaultBlockedPatterns: [],
  protectedPaths: [],
});
const healthy: DiagnosticsInput = {
  runtime: runtimeOk,
  image: image('ready'),
  proxy: proxy(true, [mapping()]),
  mounts: mounts([
    {
      path: '/p',
      allowReadWrite: false,
      description: '',
      realPath: '/p',
      exists: true,
      broad: false,
      confirmedRealPath: '/p',
      problem: null,
      needsReconfirm: false,
    },
  ]),
  warnings: [],
};
const byId = (input: DiagnosticsInput) =>
  Object.fromEntries(diagnose(input).items.map((i) => [i.id, i]));

describe('diagnose', () => {
  it('is ok when everything is', () => {
    const d = diagnose(healthy);
    expect(d.status).toBe('ok');
    expect(d.items.every((i) => i.status === 'ok')).toBe(true);
  });

  it('fails on a missing runtime and gives the check’s own fix', () => {
    const runtime = {
      ...runtimeOk,
      available: false,
      backend: null,
      message: 'No container runtime is available.',
      checks: [
        {
          backend: 'docker' as const,
          endpoint: 'unix:///var/run/docker.sock',
          label: 'Docker',
          status: 'permission_denied' as const,
          message: 'Permission denied',
          fix: ['sudo usermod -aG docker $USER'],
          version: null,
          durationMs: 1,
        },
      ],
    };
    const d = diagnose({ ...healthy, runtime });
    expect(d.status).toBe('fail');
    expect(byId({ ...healthy, runtime }).runtime).toMatchObject({
      status: 'fail',
      fix: ['sudo usermod -aG docker $USER'],
      route: 'container/runtime',
    });
  });

  it.each([
    ['outdated', 'warn'],
    ['missing', 'warn'],
    ['failed', 'fail'],
    ['building', 'info'],
  ] as const)('reports an image that is %s as %s', (state, status) => {
    expect(byId({ ...healthy, image: image(state, 'the hint') }).image?.status).toBe(status);
  });

  it('flags a stopped or turned-off proxy, no mappings, a mapping without key and a rejected key', () => {
    expect(byId({ ...healthy, proxy: proxy(false, [mapping()]) }).proxy).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('already in use'),
    });
    expect(byId({ ...healthy, proxy: proxy(false, [mapping()], false) }).proxy?.status).toBe(
      'warn',
    );
    expect(byId({ ...healthy, proxy: proxy(true, []) })['proxy-mappings']?.status).toBe('warn');
    expect(
      byId({ ...healthy, proxy: proxy(true, [mapping({ hasKey: false })]) })['proxy-key-m1']
        ?.status,
    ).toBe('fail');
    expect(
      byId({ ...healthy, proxy: proxy(true, [mapping({ lastStatus: 401 })]) })['proxy-rejected-m1']
        ?.fix[0],
    ).toContain('Check that the real API key is valid');
  });

  it('warns about a proxy without session tokens, and fails one open to the network', () => {
    const open = (bindAddress: string) => {
      const p = proxy(true, [mapping()]);
      return { ...p, status: { ...p.status, strict: false, bindAddress } };
    };
    expect(byId({ ...healthy, proxy: open('127.0.0.1') }).proxy?.status).toBe('warn');
    const wide = diagnose({ ...healthy, proxy: open('0.0.0.0') });
    expect(wide.status).toBe('fail');
    expect(wide.items.find((i) => i.id === 'proxy')?.detail).toContain('Any machine');
  });

  it('does not guess the image state while the runtime is away', () => {
    const runtime = { ...runtimeOk, available: false, backend: null };
    expect(byId({ ...healthy, runtime, image: image('missing') }).image).toMatchObject({
      status: 'info',
      fix: [],
    });
  });

  it('warns about low disk, missing and broad roots, and app warnings', () => {
    const d = byId({
      ...healthy,
      runtime: {
        ...runtimeOk,
        disk: {
          path: '/var/lib/docker',
          freeBytes: 1024 ** 3,
          totalBytes: 10 * 1024 ** 3,
          low: true,
        },
      },
      mounts: mounts([
        {
          path: '/gone',
          allowReadWrite: false,
          description: '',
          realPath: null,
          exists: false,
          broad: false,
          confirmedRealPath: '/gone',
          problem: null,
          needsReconfirm: false,
        },
        {
          path: '/home/me',
          allowReadWrite: false,
          description: '',
          realPath: '/home/me',
          exists: true,
          broad: true,
          confirmedRealPath: '/home/me',
          problem: null,
          needsReconfirm: false,
        },
      ]),
      warnings: [
        { id: 'w1', time: '', code: 'SETTINGS_CORRUPT', message: 'Settings could not be loaded' },
      ],
    });
    expect(d.disk?.status).toBe('warn');
    expect(d['mount-missing-/gone']?.status).toBe('warn');
    expect(d['mount-broad-/home/me']?.status).toBe('warn');
    expect(d['warning-w1']).toMatchObject({
      status: 'warn',
      detail: 'Settings could not be loaded',
    });
  });
});
