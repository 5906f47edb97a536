import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { classifyRefusal } from '../../src/main/services/runtime/engine-refusal';
import type { AgentContainerSpec } from '../../src/main/services/sessions/container-spec';
import { DockerEngine } from '../../src/main/services/sessions/docker-engine';

/** An engine error as dockerode makes it: the status, and the engine's JSON message. */
const engineError = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message}`), {
    statusCode,
    json: { message },
  });

/** A session's container as the launcher asks for it (only the image matters here). */
const SPEC: AgentContainerSpec = {
  name: 'aigo-main-1',
  image: 'aigo-agent-runner:latest',
  labels: {},
  env: {},
  mounts: [],
  memoryMb: 512,
  cpus: 1,
  extra: {},
  networkMode: 'none',
  extraHosts: [],
};

const PODMAN_RLIMIT =
  'runc create failed: unable to start container process: error during container init: error setting rlimit type 7: operation not permitted: OCI permission denied';

describe('engine refusals', () => {
  const start = { action: 'start' as const, image: 'aigo-agent-runner:latest', podman: true };

  it.each([
    [PODMAN_RLIMIT, 500, 'resource_limit', 'default_ulimits'],
    [
      'crun: setrlimit `RLIMIT_NPROC`: Operation not permitted: OCI permission denied',
      500,
      'resource_limit',
      'default_ulimits',
    ],
    ['aigo-agent-runner:latest: image not known', 404, 'image_missing', 'Rebuild Image'],
    [
      'creating container storage: the container name "aigo-main-1" is already in use by 4f2a. You have to remove that container to be able to reuse that name: that name is already in use',
      409,
      'name_conflict',
      'podman rm -f',
    ],
    [
      'writing blob: storing blob to file "/var/tmp/storage123": write /var/tmp/storage123: no space left on device',
      500,
      'no_space',
      'podman system prune',
    ],
    [
      'crun: executable file `node` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found',
      500,
      'missing_executable',
      'Rebuild Image',
    ],
    [
      'OCI runtime error: apparmor failed to apply profile: write /proc/self/attr/apparmor/exec: no such file or directory',
      500,
      'security_policy',
      'podman info',
    ],
    [
      'error mounting "/home/me/project" to rootfs at "/workspace": permission denied',
      500,
      'permission',
      'Rootless Podman',
    ],
    [
      'container create: container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory',
      500,
      'init_missing',
      'catatonit',
    ],
    ['something nobody has seen before', 500, 'other', 'journalctl'],
    ['network aigo-agents-0123456789ab not found', 404, 'other', 'journalctl'],
  ])('%s → %s', (message, status, cause, fix) => {
    const refusal = classifyRefusal(engineError(status, message), start);
    expect(refusal.cause).toBe(cause);
    expect(refusal.engineMessage).toBe(message);
    expect(refusal.summary).toMatch(/^Podman refused to start the container: /);
    expect(refusal.fix.join(' ')).toContain(fix);
  });

  it("a session's container refused at start fails with its own code, the cause and the fix", async () => {
    const removed: string[] = [];
    const container = {
      attach: async () => new PassThrough(),
      start: async () => {
        throw engineError(500, PODMAN_RLIMIT);
      },
      remove: async () => void removed.push('c1'),
    };
    const client = {
      createContainer: async () => ({ id: 'c1' }),
      getContainer: () => container,
      modem: { demuxStream: () => undefined },
    } as unknown as Docker;
    const told: string[] = [];
    const engine = new DockerEngine(() => ({ short: client, stream: client, podman: true }), {
      refused: (error) => told.push(`refused ${error.code}`),
      started: () => told.push('started'),
    });
    const failure = await engine.run(SPEC).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('ENGINE_REFUSED');
    expect((failure as AppError).httpStatus).toBe(502);
    expect((failure as AppError).message).toContain('open files (nofile)');
    expect((failure as AppError).message).toContain('default_ulimits');
    expect((failure as AppError).details).toMatchObject({ cause: 'resource_limit' });
    expect(removed).toEqual(['c1']);
    // Health shows it (a warning) until a container starts again.
    expect(told).toEqual(['refused ENGINE_REFUSED']);
  });

  it('leaves an engine that was not reached to the runtime monitor: the error as it was', async () => {
    const away = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), {
      code: 'ECONNREFUSED',
    });
    const client = {
      createContainer: async () => {
        throw away;
      },
    } as unknown as Docker;
    const told: string[] = [];
    const engine = new DockerEngine(() => ({ short: client, stream: client }), {
      refused: () => told.push('refused'),
      started: () => told.push('started'),
    });
    const failure = await engine.run(SPEC).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBe(away);
    expect(told).toEqual([]);
  });
});
