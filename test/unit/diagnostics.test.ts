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

  it('lists every check the README names, with status ok, when all is fine', () => {
    const d = byId({
      ...healthy,
      proxy: proxy(true, [mapping(), mapping({ id: 'm2', name: 'OpenAI', lastStatus: 200 })]),
    });
    expect(Object.keys(d)).toEqual([
      'runtime',
      'disk',
      'image',
      'proxy',
      'proxy-mapping-m1',
      'proxy-mapping-m2',
      'mount-root-/p',
    ]);
    expect(Object.values(d).map((i) => i.status)).toEqual(Array(7).fill('ok'));
    expect(d.disk?.title).toContain('53.7 GB free');
    expect(d['proxy-mapping-m1']).toMatchObject({ title: expect.stringContaining('Anthropic') });
    expect(d['proxy-mapping-m2']?.detail).toContain('HTTP 200');
    expect(d['mount-root-/p']).toMatchObject({ title: expect.stringContaining('/p'), fix: [] });
  });

  it('gives each mapping and each mount root one item: ok, missing key, rejected, unreachable, missing, broad, moved', () => {
    const root = (path: string, extra: Partial<DiagnosticsInput['mounts']['roots'][number]>) => ({
      path,
      allowReadWrite: false,
      description: '',
      realPath: path,
      exists: true,
      broad: false,
      confirmedRealPath: path,
      problem: null,
      needsReconfirm: false,
      ...extra,
    });
    const d = byId({
      ...healthy,
      proxy: proxy(true, [
        mapping({ id: 'ok' }),
        mapping({ id: 'nokey', hasKey: false }),
        mapping({ id: 'local', hasKey: false, keyLast4: null, auth: { type: 'none' } }),
        mapping({ id: 'bad', lastStatus: 403 }),
        mapping({ id: 'down', lastStatus: 502 }),
        mapping({ id: 'slow', lastStatus: 504 }),
      ]),
      mounts: mounts([
        root('/fine', {}),
        root('/gone', { exists: false, realPath: null }),
        root('/home/me', { broad: true }),
        root('/moved', { problem: 'now points to /', needsReconfirm: true }),
      ]),
    });
    const statuses = Object.fromEntries(Object.entries(d).map(([id, i]) => [id, i.status]));
    expect(statuses).toMatchObject({
      'proxy-mapping-ok': 'ok',
      'proxy-key-nokey': 'fail',
      // A local model server takes no key: having none is not a problem.
      'proxy-mapping-local': 'ok',
      'proxy-rejected-bad': 'fail',
      'proxy-unreachable-down': 'warn',
      'proxy-unreachable-slow': 'warn',
      'mount-root-/fine': 'ok',
      'mount-missing-/gone': 'warn',
      'mount-broad-/home/me': 'warn',
      'mount-root-problem-/moved': 'fail',
    });
    expect(d['proxy-unreachable-down']?.fix[0]).toContain('upstream URL');
    // One item per mapping and per root, however many problems it has.
    expect(Object.keys(d).filter((id) => id.endsWith('-bad'))).toHaveLength(1);
    expect(Object.keys(d).filter((id) => id.startsWith('mount-'))).toHaveLength(4);
  });

  it('shows the disk as unknown (not as fine) when the runtime cannot tell', () => {
    expect(byId({ ...healthy, runtime: { ...runtimeOk, disk: null } }).disk?.status).toBe('info');
  });

  it('keeps a cancelled rebuild over a ready image ok, and warns when a rebuild failed', () => {
    const last = (outcome: 'failed' | 'cancelled') => ({
      outcome,
      error: outcome === 'failed' ? 'boom' : null,
      hint: outcome === 'failed' ? 'the hint' : null,
      startedAt: '',
      finishedAt: '',
    });
    expect(
      byId({ ...healthy, image: { ...image('ready'), lastBuild: last('cancelled') } }).image
        ?.status,
    ).toBe('ok');
    expect(
      byId({ ...healthy, image: { ...image('ready', 'the hint'), lastBuild: last('failed') } })
        .image,
    ).toMatchObject({ status: 'warn', fix: ['the hint'] });
    expect(byId({ ...healthy, image: image('cancelled') }).image?.status).toBe('warn');
    expect(byId({ ...healthy, image: image('unknown') }).image?.status).toBe('warn');
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
  ] as const)('reports an image that is %s as %s', (state, status) => {
    expect(byId({ ...healthy, image: image(state, 'the hint') }).image?.status).toBe(status);
  });

  it('reports a build as info, and one gone silent as a warning with the hang hint', () => {
    expect(byId({ ...healthy, image: image('building') }).image?.status).toBe('info');
    const hint = 'The build has printed nothing for 5 minutes. Network issues can cause …';
    expect(byId({ ...healthy, image: image('building', hint) }).image).toMatchObject({
      status: 'warn',
      title: expect.stringMatching(/silent/),
      fix: [hint],
      route: 'container/image',
    });
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
    expect(byId({ ...healthy, runtime, image: image('unknown') }).image).toMatchObject({
      status: 'info',
      title: 'Agent image unknown: no container runtime',
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
