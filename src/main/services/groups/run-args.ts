/**
 * The `docker run` options a group may add. An allowlist: an option that is not here could
 * widen what the container may do (mounts that skip mount security, environment that skips the
 * approved list, devices, namespaces of the host), so it is refused. The product's named
 * refusals get their own reasons, because users will recognise them.
 */
const DANGEROUS: Record<string, string> = {
  '--privileged': 'gives the container full control of the host',
  '--cap-add': 'grants kernel capabilities agents never get',
  '--security-opt': 'would switch off the confinement agents run under',
  '--device': "exposes the host's devices",
  '--pid': "shares the host's processes",
  '--network': "agents use aigo's network; host networking would reach every local service",
  '--net': "agents use aigo's network; host networking would reach every local service",
  '--userns': "shares the host's user namespace",
  '--ipc': "shares the host's IPC namespace",
  '--uts': "shares the host's UTS namespace",
  '--volume': "mounts must go through mount security (the group's mounts)",
  '-v': "mounts must go through mount security (the group's mounts)",
  '--mount': "mounts must go through mount security (the group's mounts)",
  '--volumes-from': "mounts must go through mount security (the group's mounts)",
  '--env': 'only approved variables reach a container',
  '-e': 'only approved variables reach a container',
  '--env-file': 'only approved variables reach a container',
  '--user': 'agents always run as uid 1000',
  '-u': 'agents always run as uid 1000',
  '--group-add': 'agents get no extra groups',
  '--cgroup-parent': 'would move the container out of its limits',
  '--sysctl': 'changes kernel settings',
  '--runtime': 'would change how the container is isolated',
  '--add-host': 'would redirect names the proxy relies on',
  '--entrypoint': 'the agent runner is the entrypoint',
};

export interface AllowedRunArgs {
  memoryBytes?: number;
  memorySwapBytes?: number;
  nanoCpus?: number;
  pidsLimit?: number;
  shmSizeBytes?: number;
}

export interface RefusedRunArg {
  arg: string;
  reason: string;
}

const SIZE = /^(\d+(?:\.\d+)?)([bkmg]?)$/i;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function size(value: string): number | null {
  const match = SIZE.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1));
}

const SUPPORTED: Record<string, (value: string, out: AllowedRunArgs) => boolean> = {
  '--memory': (v, out) => ((out.memoryBytes = size(v) ?? NaN), out.memoryBytes >= 6 * 1024 ** 2),
  '--memory-swap': (v, out) => ((out.memorySwapBytes = size(v) ?? NaN), out.memorySwapBytes > 0),
  '--cpus': (v, out) => ((out.nanoCpus = Math.round(Number(v) * 1e9)), out.nanoCpus > 0),
  '--pids-limit': (v, out) => (
    (out.pidsLimit = Number(v)),
    Number.isInteger(out.pidsLimit) && out.pidsLimit > 0 && out.pidsLimit <= 4096
  ),
  '--shm-size': (v, out) => ((out.shmSizeBytes = size(v) ?? NaN), out.shmSizeBytes > 0),
};

function split(arg: string): { flag: string; value: string | null } {
  const trimmed = arg.trim();
  const eq = trimmed.indexOf('=');
  const space = trimmed.search(/\s/);
  const cut = eq >= 0 && (space < 0 || eq < space) ? eq : space;
  if (cut < 0) return { flag: trimmed, value: null };
  return { flag: trimmed.slice(0, cut), value: trimmed.slice(cut + 1).trim() };
}

/** Parses a group's extra run args: what they set, and each one refused with its reason. */
export function parseExtraRunArgs(args: readonly string[]): {
  allowed: AllowedRunArgs;
  refused: RefusedRunArg[];
} {
  const allowed: AllowedRunArgs = {};
  const refused: RefusedRunArg[] = [];
  for (const arg of args) {
    const { flag, value } = split(arg);
    const danger = DANGEROUS[flag.toLowerCase()];
    if (danger) {
      refused.push({ arg, reason: danger });
      continue;
    }
    const apply = SUPPORTED[flag.toLowerCase()];
    if (!apply) {
      refused.push({
        arg,
        reason: `not supported; a group may set ${Object.keys(SUPPORTED).join(', ')}`,
      });
      continue;
    }
    if (value === null || !apply(value, allowed))
      refused.push({
        arg,
        reason: `needs a valid value, like ${flag}=${flag === '--cpus' ? '2' : flag === '--pids-limit' ? '512' : '2g'}`,
      });
  }
  return { allowed, refused };
}

export function checkExtraRunArgs(args: readonly string[]): RefusedRunArg[] {
  return parseExtraRunArgs(args).refused;
}
