import type Docker from 'dockerode';
import type { BindMount } from '../mounts/mount-plan';
import type { AllowedRunArgs } from '../groups/run-args';

/** Labels every agent container of this install carries (orphans are found by them). */
export const LABELS = {
  install: 'org.aigo.install',
  group: 'org.aigo.group',
  session: 'org.aigo.session',
  kind: 'org.aigo.kind',
} as const;

/** The only variables a container gets: nothing is inherited from the host. */
export const APPROVED_ENV = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_API_KEY',
  'AIGO_PROXY_TOKEN',
  'ANTHROPIC_CUSTOM_HEADERS',
  'TZ',
  'AIGO_GROUP',
  'AIGO_SESSION',
  'AIGO_WAIT_FOR_JOB',
  'AIGO_STATE_DIR',
] as const;

export interface AgentContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  mounts: BindMount[];
  memoryMb: number;
  cpus: number;
  extra: AllowedRunArgs;
  /** `host` only where the engine has no bridge; otherwise aigo's own network. */
  networkMode: string;
  extraHosts: string[];
}

/** Drops anything not on the approved list, so a caller cannot smuggle a variable in. */
export function approvedEnv(env: Record<string, string>): string[] {
  const approved = new Set<string>(APPROVED_ENV);
  return Object.entries(env)
    .filter(([key]) => approved.has(key))
    .map(([key, value]) => `${key}=${value}`);
}

/**
 * Docker's create options for an agent: uid 1000, every capability dropped, no privilege
 * gain, a read-only root with tmpfs scratch space, pid, memory and CPU limits, an init process
 * that reaps and forwards signals, and only the approved environment.
 */
export function dockerCreateOptions(
  spec: AgentContainerSpec,
  engine: { podman?: boolean } = {},
): Docker.ContainerCreateOptions {
  const memory = spec.extra.memoryBytes ?? spec.memoryMb * 1024 * 1024;
  return {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Env: approvedEnv(spec.env),
    User: '1000:1000',
    WorkingDir: '/workspace',
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      Mounts: spec.mounts,
      Init: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=512m',
        // The agent's home belongs to it: Docker takes uid=/gid=, Podman refuses those and takes
        // U (owned by the container's user, 1000:1000).
        '/home/agent': `rw,nosuid,nodev,size=256m,${engine.podman ? 'U' : 'uid=1000,gid=1000'}`,
      },
      PidsLimit: spec.extra.pidsLimit ?? 512,
      Memory: memory,
      MemorySwap: spec.extra.memorySwapBytes ?? memory,
      NanoCpus: spec.extra.nanoCpus ?? Math.round(spec.cpus * 1e9),
      ...(spec.extra.shmSizeBytes ? { ShmSize: spec.extra.shmSizeBytes } : {}),
      NetworkMode: spec.networkMode,
      ExtraHosts: spec.extraHosts,
      Privileged: false,
      AutoRemove: false,
      // aigo reads the output as it streams; the engine's own copy stays small.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}

/**
 * The same container for Apple's `container` CLI (`container run --detach …`), as its command
 * reference documents the flags. Each container is its own VM there: capabilities and the
 * read-only root are the VM's business, the limits and mounts are ours.
 */
export function appleRunArgs(spec: AgentContainerSpec): string[] {
  const args = ['run', '--detach', '--name', spec.name];
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  for (const entry of approvedEnv(spec.env)) args.push('--env', entry);
  args.push('--user', '1000:1000', '--workdir', '/workspace');
  args.push(
    '--cpus',
    String(Math.max(1, Math.round(spec.extra.nanoCpus ? spec.extra.nanoCpus / 1e9 : spec.cpus))),
  );
  args.push(
    '--memory',
    `${Math.round((spec.extra.memoryBytes ?? spec.memoryMb * 1024 * 1024) / 1024 / 1024)}M`,
  );
  for (const m of spec.mounts)
    args.push(
      '--mount',
      `type=bind,source=${m.Source},target=${m.Target}${m.ReadOnly ? ',readonly' : ''}`,
    );
  args.push('--tmpfs', '/tmp', '--tmpfs', '/home/agent');
  args.push(spec.image);
  return args;
}
