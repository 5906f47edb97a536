import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyRefusal } from '../../src/main/services/runtime/engine-refusal';
import { realHostEnv } from '../../src/main/services/runtime/host-env';
import { startTestApp } from '../helpers/app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());

/** The error the engine gives for `work`, which must fail. */
async function refusalOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('the engine did not refuse');
}

/**
 * Refusals from the real engine, in its own words, become causes with fixes — the guide's users
 * saw `500 INTERNAL` and runc's text (Podman's default ulimits above this machine's hard limits).
 */
describe.runIf(runDocker)('engine refusals as causes', () => {
  const docker = new Docker();
  let image: string;
  const made: string[] = [];
  const context = () => ({ action: 'start' as const, image, podman: false });

  beforeAll(() => {
    image = ensureBusyboxImage();
  });
  afterAll(async () => {
    for (const id of made)
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  const create = async (options: Docker.ContainerCreateOptions) => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['true'],
      Labels: { 'aigo.test': '1' },
      ...options,
      HostConfig: { NetworkMode: 'none', ...options.HostConfig },
    });
    made.push(container.id);
    return container;
  };

  it('a limit above the hard limit: the limit named, the engine config as the fix', async () => {
    const container = await create({
      HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 2 ** 31, Hard: 2 ** 31 }] },
    });
    const refusal = classifyRefusal(await refusalOf(() => container.start()), context());
    expect(refusal.engineMessage).toMatch(/rlimit/i);
    expect(refusal).toMatchObject({ cause: 'resource_limit' });
    expect(refusal.summary).toContain('open files (nofile)');
    expect(refusal.fix.join(' ')).toContain('default-ulimits');
    const podman = classifyRefusal(await refusalOf(() => container.start()), {
      ...context(),
      podman: true,
    });
    expect(podman.fix.join(' ')).toContain('default_ulimits = ["nofile=1024:1024"');
  });

  it('a program the image lacks, a missing image and a name in use', async () => {
    const noNode = await create({ Entrypoint: ['node', '-e', '1'], Cmd: [] });
    expect(classifyRefusal(await refusalOf(() => noNode.start()), context()).cause).toBe(
      'missing_executable',
    );
    const missing = await refusalOf(() =>
      docker.createContainer({ Image: 'aigo-no-such-image:none', Cmd: ['true'] }),
    );
    expect(classifyRefusal(missing, { ...context(), action: 'create' }).cause).toBe(
      'image_missing',
    );
    const name = `aigo-refusal-${Date.now()}`;
    await create({ name });
    const conflict = await refusalOf(() => create({ name }));
    expect(classifyRefusal(conflict, { ...context(), action: 'create' }).cause).toBe(
      'name_conflict',
    );
  });

  describe('through the app', () => {
    let app: Awaited<ReturnType<typeof startTestApp>>;
    beforeAll(async () => {
      app = await startTestApp({ hostEnv: realHostEnv(), agentImage: image });
    });
    afterAll(() => app?.stop());

    it("the proxy's container check answers with the cause, not a 500", async () => {
      // busybox has no node, which the check runs: the engine refuses the start.
      const response = await fetch(`${app.url}/api/v1/container/credential-proxy/check`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${app.core.token}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      const body = (await response.json()) as Record<string, unknown>;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ result: 'engine_refused' });
      expect(String(body.message)).toMatch(/^(Docker|Podman) refused to start the container/);
      expect((body.fix as string[]).join(' ')).toContain('Rebuild Image');
    });
  });
});
