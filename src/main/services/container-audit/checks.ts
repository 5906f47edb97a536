import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { AuditCheck } from '../../../shared/schemas/container-audit';
import { redactString } from '../logging/redact';
import { APPROVED_ENV } from '../sessions/container-spec';
import type { LaunchRecord } from '../sessions/launcher';

/** Values are never shown: a key in an audit entry would be a leak of its own. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

function looksLikeKey(value: string): boolean {
  return (
    redactString(value) !== value ||
    /^(sk|pk|rk|ghp|gho|xox[abp])[-_][A-Za-z0-9_-]{16,}/.test(value)
  );
}

/** What Podman sets in every container's environment (`container=podman`, the host name, TERM). */
const PODMAN_ENV = ['container', 'HOSTNAME', 'TERM'];

/** The capabilities a container gets by default (Docker's and Podman's list). */
const DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/**
 * Every capability dropped: Docker reports the `ALL` it was asked; Podman reports what `ALL`
 * took away, capability by capability — which must then cover every default one.
 */
function allDropped(capDrop: readonly string[], podman: boolean): boolean {
  if (capDrop.includes('ALL')) return true;
  if (!podman) return false;
  const dropped = new Set(capDrop.map((c) => c.replace(/^CAP_/, '')));
  return DEFAULT_CAPABILITIES.every((c) => dropped.has(c));
}

/** One image, however the engine spells it (`localhost/x`, `docker.io/library/x`, `x`). */
function sameImage(running: string, launched: string): boolean {
  const bare = (ref: string) => ref.replace(/^(localhost|docker\.io)\/(library\/)?/, '');
  return running === launched || bare(running) === bare(launched);
}

const envMap = (list: readonly string[]) =>
  new Map(list.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

/**
 * Compares a running container with how aigo started it. Each check says what was expected and
 * what is there (secrets as fingerprints); the guide's "Security Audit Marks Containers as
 * Non-Compliant" asks exactly for environment and mounts that changed.
 */
export function auditContainer(
  info: Docker.ContainerInspectInfo,
  record: LaunchRecord | null,
  imageEnv: readonly string[],
  protectedPaths: readonly string[],
  engine: { podman?: boolean } = {},
): AuditCheck[] {
  const checks: AuditCheck[] = [];
  const check = (id: string, ok: boolean, expected: string, actual: string) =>
    checks.push({ id, ok, expected, actual });
  const host = info.HostConfig;

  check(
    'launched-by-aigo',
    record !== null,
    'a container this aigo started',
    record
      ? record.containerId.slice(0, 12)
      : 'unknown to this aigo (labelled or named like its agents)',
  );

  // Environment: only approved names (and the image's own), the placeholder, no real key.
  const running = envMap(info.Config.Env ?? []);
  const image = envMap(imageEnv);
  const allowed = new Set<string>([
    ...APPROVED_ENV,
    ...image.keys(),
    ...(engine.podman ? PODMAN_ENV : []),
  ]);
  const extra = [...running.keys()].filter((k) => !allowed.has(k));
  check(
    'env-approved-only',
    extra.length === 0,
    'only approved variables',
    extra.length ? `also ${extra.join(', ')}` : 'only approved variables',
  );
  const apiKey = running.get('ANTHROPIC_API_KEY');
  const placeholder = record?.placeholder ?? 'CREDENTIAL_PROXY_PLACEHOLDER';
  check(
    'env-api-key-placeholder',
    apiKey === undefined || apiKey === placeholder,
    `ANTHROPIC_API_KEY=${placeholder}`,
    apiKey === undefined
      ? 'not set'
      : apiKey === placeholder
        ? `ANTHROPIC_API_KEY=${placeholder}`
        : `ANTHROPIC_API_KEY=${fingerprint(apiKey)}`,
  );
  const keyLike = [...running.entries()].filter(
    ([k, v]) => k !== 'AIGO_PROXY_TOKEN' && k !== 'ANTHROPIC_CUSTOM_HEADERS' && looksLikeKey(v),
  );
  check(
    'env-no-real-key',
    keyLike.length === 0,
    'no value that looks like a real key',
    keyLike.length ? keyLike.map(([k, v]) => `${k}=${fingerprint(v)}`).join(', ') : 'none',
  );
  if (record) {
    const launched = envMap(record.env);
    const changed = [...launched.entries()]
      .filter(([k, v]) => running.get(k) !== v)
      .map(([k]) => k);
    check(
      'env-unchanged',
      changed.length === 0,
      'the environment it was started with',
      changed.length ? `changed: ${changed.join(', ')}` : 'unchanged',
    );
  }

  // Mounts: exactly those launched, same modes; nothing protected; the masks still there.
  const mounts = (info.Mounts ?? []).filter((m) => m.Type === 'bind');
  const seen = mounts.map((m) => `${m.Source} -> ${m.Destination} (${m.RW ? 'rw' : 'ro'})`).sort();
  if (record) {
    const expected = record.mounts
      .map((m) => `${m.source} -> ${m.target} (${m.readonly ? 'ro' : 'rw'})`)
      .sort();
    const missing = expected.filter((m) => !seen.includes(m));
    const added = seen.filter((m) => !expected.includes(m));
    check(
      'mounts-as-launched',
      !missing.length && !added.length,
      `${expected.length} mounts as launched`,
      [
        missing.length ? `missing: ${missing.join('; ')}` : '',
        added.length ? `extra: ${added.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join(' ') || `${seen.length} mounts as launched`,
    );
  }
  const guarded = mounts.filter((m) =>
    protectedPaths.some((p) => m.Source === p || m.Source.startsWith(`${p}/`)),
  );
  const ownIpc = (m: { Source: string }) =>
    record?.mounts.some((r) => r.source === m.Source) ?? false;
  const leaked = guarded.filter((m) => !ownIpc(m));
  check(
    'mounts-no-protected-path',
    leaked.length === 0,
    'no aigo data or runtime socket',
    leaked.length ? leaked.map((m) => m.Source).join(', ') : 'none',
  );

  // Confinement as launched.
  const user = info.Config.User ?? '';
  check(
    'user-non-root',
    user !== '' && !/^(0|root)(:|$)/.test(user),
    'uid 1000',
    user || 'root (none set)',
  );
  const capAdd = host.CapAdd ?? [];
  check(
    'no-capabilities',
    capAdd.length === 0 && allDropped(host.CapDrop ?? [], engine.podman === true),
    'all dropped, none added',
    `dropped ${(host.CapDrop ?? []).join(',') || 'none'}; added ${capAdd.join(',') || 'none'}`,
  );
  check(
    'not-privileged',
    host.Privileged !== true,
    'not privileged',
    host.Privileged ? 'privileged' : 'not privileged',
  );
  check(
    'no-new-privileges',
    ((host.SecurityOpt ?? []) as string[]).some((o) => o.startsWith('no-new-privileges')),
    'no-new-privileges',
    (host.SecurityOpt ?? []).join(', ') || 'none',
  );
  check(
    'read-only-root',
    host.ReadonlyRootfs === true,
    'read-only root filesystem',
    host.ReadonlyRootfs ? 'read-only' : 'writable',
  );
  if (record) {
    check(
      'network-as-launched',
      host.NetworkMode === record.networkMode,
      record.networkMode,
      host.NetworkMode ?? 'unknown',
    );
    check(
      'limits-as-launched',
      host.Memory === record.memoryBytes &&
        host.NanoCpus === record.nanoCpus &&
        (host.PidsLimit ?? 0) > 0,
      `memory ${record.memoryBytes}, cpus ${record.nanoCpus / 1e9}, a pids limit`,
      `memory ${host.Memory}, cpus ${(host.NanoCpus ?? 0) / 1e9}, pids ${host.PidsLimit ?? 'unlimited'}`,
    );
    check(
      'image-as-launched',
      sameImage(info.Config.Image, record.image),
      record.image,
      info.Config.Image,
    );
    const labels = info.Config.Labels ?? {};
    const wrong = Object.entries(record.labels)
      .filter(([k, v]) => labels[k] !== v)
      .map(([k]) => k);
    check(
      'labels-as-launched',
      wrong.length === 0,
      'the labels it was started with',
      wrong.length ? `changed: ${wrong.join(', ')}` : 'as launched',
    );
  }
  return checks;
}
