import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { auditContainer } from '../../src/main/services/container-audit/checks';
import type { LaunchRecord } from '../../src/main/services/sessions/launcher';

const record = {
  containerId: 'c0ffee0000000000',
  image: 'aigo-agent-runner:latest',
  env: ['AIGO_SESSION=s'],
  mounts: [],
  labels: {},
  placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
} as unknown as LaunchRecord;

const PODMAN_DROPPED =
  'AUDIT_WRITE,CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,MKNOD,NET_BIND_SERVICE,NET_RAW,SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT';

/** How an engine's inspect shows a container aigo started with its hardened options. */
function inspected(
  engine: 'docker' | 'podman',
  patch: { env?: string[]; capDrop?: string[]; capAdd?: string[] } = {},
) {
  return {
    Image: 'sha256:abc',
    Config: {
      Image:
        engine === 'podman' ? 'localhost/aigo-agent-runner:latest' : 'aigo-agent-runner:latest',
      Env: [
        'AIGO_SESSION=s',
        ...(engine === 'podman' ? ['container=podman', 'HOSTNAME=c0ffee', 'TERM=xterm'] : []),
        ...(patch.env ?? []),
      ],
      Labels: {},
      User: '1000:1000',
    },
    HostConfig: {
      CapDrop: patch.capDrop ?? (engine === 'podman' ? PODMAN_DROPPED.split(',') : ['ALL']),
      CapAdd: patch.capAdd ?? [],
      Privileged: false,
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
    },
    Mounts: [],
  } as unknown as Docker.ContainerInspectInfo;
}

const failed = (info: Docker.ContainerInspectInfo, podman: boolean) =>
  auditContainer(info, record, ['PATH=/usr/bin'], [], { podman })
    .filter((c) => !c.ok)
    .map((c) => c.id)
    .filter((id) => ['env-approved-only', 'no-capabilities', 'image-as-launched'].includes(id));

describe('the security audit on Podman', () => {
  it('reads what Podman reports its own way as the same hardening Docker reports', () => {
    expect(failed(inspected('docker'), false)).toEqual([]);
    expect(failed(inspected('podman'), true)).toEqual([]);
  });

  it('still finds a variable, a capability or an image that does not belong', () => {
    expect(failed(inspected('podman', { env: ['EXTRA=1'] }), true)).toEqual(['env-approved-only']);
    const keptNetRaw = PODMAN_DROPPED.split(',').filter((c) => c !== 'NET_RAW');
    expect(failed(inspected('podman', { capDrop: keptNetRaw }), true)).toEqual(['no-capabilities']);
    expect(failed(inspected('podman', { capAdd: ['SYS_ADMIN'] }), true)).toEqual([
      'no-capabilities',
    ]);
    // Docker never reports the list: there, only ALL counts, and Podman's variables are extra.
    expect(failed(inspected('podman'), false)).toEqual(['env-approved-only', 'no-capabilities']);
  });
});
