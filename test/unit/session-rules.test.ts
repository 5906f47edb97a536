import { describe, expect, it } from 'vitest';
import { groupFolder } from '../../src/main/services/groups/groups-service';
import { parseExtraRunArgs } from '../../src/main/services/groups/run-args';
import {
  appleRunArgs,
  approvedEnv,
  dockerCreateOptions,
  type AgentContainerSpec,
} from '../../src/main/services/sessions/container-spec';
import { FairQueue } from '../../src/main/services/sessions/fair-queue';
import { containerName } from '../../src/main/services/sessions/launcher';
import { createGroupSchema } from '../../src/shared/schemas/groups';
import type { Group } from '../../src/shared/schemas/groups';

describe('group names and folders', () => {
  it.each(['main', 'family', 'tg:123456789', 'slack:C01/x', 'a.b_c-d'])('accepts %s', (name) => {
    expect(createGroupSchema.safeParse({ name }).success).toBe(true);
  });
  it.each(['', '-rf', 'has space', 'semi;colon', 'dollar$', 'new\nline', 'ü'])(
    'refuses %j',
    (name) => {
      expect(createGroupSchema.safeParse({ name }).success).toBe(false);
    },
  );
  it('maps names to distinct folders that are safe everywhere', () => {
    const names = ['tg:1', 'tg/1', 'tg_1', '..', '.', 'a..b', 'main'];
    const folders = names.map(groupFolder);
    expect(new Set(folders).size).toBe(names.length);
    for (const f of folders) {
      expect(f).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(f).not.toMatch(/^\.+$/);
    }
    expect(groupFolder('main')).toBe('main');
  });
});

describe('extra run args', () => {
  it.each([
    '--privileged',
    '--cap-add=SYS_ADMIN',
    '--cap-add SYS_ADMIN',
    '--security-opt=seccomp=unconfined',
    '--device=/dev/kvm',
    '--pid=host',
    '--network=host',
    '--net=host',
    '--userns=host',
    '--ipc=host',
    '-v /:/host',
    '--mount=type=bind,src=/,dst=/host',
    '-e ANTHROPIC_API_KEY=x',
    '--env-file=/etc/passwd',
    '--user=0',
    '--entrypoint=sh',
    '--add-host=host-gateway:6.6.6.6',
    '--cgroup-parent=/',
    '--whatever',
  ])('refuses %s', (arg) => {
    const { refused } = parseExtraRunArgs([arg]);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason.length).toBeGreaterThan(10);
  });
  it('applies the supported limits', () => {
    const { allowed, refused } = parseExtraRunArgs([
      '--memory=1g',
      '--cpus 1.5',
      '--pids-limit=64',
      '--shm-size=64m',
    ]);
    expect(refused).toEqual([]);
    expect(allowed).toEqual({
      memoryBytes: 1024 ** 3,
      nanoCpus: 1.5e9,
      pidsLimit: 64,
      shmSizeBytes: 64 * 1024 ** 2,
    });
  });
  it('refuses a supported flag with a bad value', () => {
    expect(parseExtraRunArgs(['--memory=lots']).refused).toHaveLength(1);
    expect(parseExtraRunArgs(['--pids-limit=-1']).refused).toHaveLength(1);
  });
});

const spec: AgentContainerSpec = {
  name: 'aigo-main-s-1',
  image: 'aigo-agent-runner:latest',
  labels: { 'org.aigo.install': 'abc' },
  env: {
    ANTHROPIC_BASE_URL: 'http://host-gateway:3001',
    AIGO_SESSION: 's',
    PATH: '/evil',
    HOME: '/root',
    SECRET: 'x',
  },
  mounts: [{ Type: 'bind', Source: '/home/me/p', Target: '/workspace', ReadOnly: true }],
  memoryMb: 2048,
  cpus: 2,
  extra: {},
  networkMode: 'aigo-agents-abc',
  extraHosts: ['host-gateway:172.17.0.1'],
};

describe('container spec', () => {
  it('passes only approved variables', () => {
    expect(approvedEnv(spec.env)).toEqual([
      'ANTHROPIC_BASE_URL=http://host-gateway:3001',
      'AIGO_SESSION=s',
    ]);
  });
  it("gives the agent its home on Podman too, whose tmpfs refuses Docker's uid= option", () => {
    const docker = dockerCreateOptions(spec).HostConfig?.Tmpfs?.['/home/agent'];
    const podman = dockerCreateOptions(spec, { podman: true }).HostConfig?.Tmpfs?.['/home/agent'];
    expect(docker).toContain('uid=1000,gid=1000');
    expect(podman).not.toContain('uid=');
    expect(podman?.split(',')).toContain('U');
  });
  it('is hardened for Docker', () => {
    const o = dockerCreateOptions(spec);
    expect(o.User).toBe('1000:1000');
    expect(o.HostConfig).toMatchObject({
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Init: true,
      Privileged: false,
      Memory: 2048 * 1024 * 1024,
      NanoCpus: 2e9,
      NetworkMode: 'aigo-agents-abc',
    });
    expect(o.HostConfig?.PidsLimit).toBeGreaterThan(0);
  });
  it("builds Apple's `container run` arguments as its command reference documents them", () => {
    expect(appleRunArgs(spec)).toEqual([
      'run',
      '--detach',
      '--name',
      'aigo-main-s-1',
      '--label',
      'org.aigo.install=abc',
      '--env',
      'ANTHROPIC_BASE_URL=http://host-gateway:3001',
      '--env',
      'AIGO_SESSION=s',
      '--user',
      '1000:1000',
      '--workdir',
      '/workspace',
      '--cpus',
      '2',
      '--memory',
      '2048M',
      '--mount',
      'type=bind,source=/home/me/p,target=/workspace,readonly',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      '/home/agent',
      'aigo-agent-runner:latest',
    ]);
  });
  it('names containers aigo-<group>-<session>-<time>', () => {
    const name = containerName(
      { folder: 'tg_1-abcdef12' } as Group,
      '20261129-120000-abcd',
      1_700_000_000_000,
    );
    expect(name).toMatch(/^aigo-tg_1-abcdef12-20261129-120000-abcd-[a-z0-9]+$/);
  });
});

describe('the fair queue', () => {
  it('alternates between groups, oldest first within a group', () => {
    const q = new FairQueue();
    for (const id of ['a1', 'a2', 'a3']) q.push(id, 'A');
    q.push('b1', 'B');
    q.push('c1', 'C');
    expect([q.position('a1'), q.position('b1'), q.position('c1'), q.position('a2')]).toEqual([
      1, 2, 3, 4,
    ]);
    const order: string[] = [];
    for (let id = q.take(); id; id = q.take()) order.push(id);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });
  it('lets a quiet group go before a busy one that just started', () => {
    const q = new FairQueue();
    q.push('a1', 'A');
    expect(q.take()).toBe('a1');
    q.push('a2', 'A');
    q.push('b1', 'B');
    expect(q.take()).toBe('b1');
    expect(q.remove('a2')).toBe(true);
    expect(q.take()).toBeNull();
  });
});
