import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { checkProxyFromContainer } from '../../src/main/services/proxy/container-check';
import { realHostEnv } from '../../src/main/services/runtime/host-env';
import { startTestApp } from '../helpers/app';
import { ensureNodeBaseImage } from '../helpers/node-base-image';
import { dockerRequirement, requirePart } from '../helpers/requirements';

const runDocker = requirePart('Docker', dockerRequirement());

describe.runIf(runDocker)(
  "the proxy's container check (the guide's 'Proxy Starts But Requests Fail')",
  () => {
    let app: Awaited<ReturnType<typeof startTestApp>>;
    let image: string;

    beforeAll(async () => {
      image = ensureNodeBaseImage(); // has node, which the check runs; the agent image is built from it
      app = await startTestApp({ hostEnv: realHostEnv() });
    });
    afterAll(() => app?.stop());

    it('reports a proxy a container can reach as reachable', async () => {
      const result = await app.core.services.proxy.checkFromContainer(image);
      expect(result, JSON.stringify(result)).toMatchObject({ result: 'reachable', fix: [] });
      expect(result.message).toMatch(/reached the credential proxy at http:\/\/host-gateway:\d+/);
    });

    it('reports a proxy containers cannot reach as unreachable, with the guide fixes', async () => {
      // A container cut off from the host (network none) is what a firewall or a wrong gateway
      // looks like from inside: the same check must say so and name the fixes.
      const proxy = app.core.services.proxy;
      const status = proxy.status();
      const config = proxy.containerConfig('cut-off');
      try {
        const result = await checkProxyFromContainer({
          docker: new Docker(),
          image,
          env: config.env,
          extraHosts: config.extraHosts,
          networkMode: 'none',
          port: status.port as number,
          bindAddress: status.bindAddress as string,
          podman: false,
        });
        expect(result.result).toBe('unreachable');
        expect(result.message).toContain('could not reach the credential proxy');
        expect(result.fix.join(' ')).toContain(
          'Verify the host-gateway address is correct for your platform',
        );
        expect(result.fix.join(' ')).toContain(
          `firewall rules are not blocking port ${status.port}`,
        );
      } finally {
        proxy.revokeSession('cut-off');
      }
    });

    it('says when the image is missing, and when the proxy is off', async () => {
      expect(
        (await app.core.services.proxy.checkFromContainer('aigo-no-such-image:none')).result,
      ).toBe('image_missing');
      await app.core.services.proxy.setEnabled(false);
      const off = await app.core.services.proxy.checkFromContainer(image);
      expect(off).toMatchObject({
        result: 'unreachable',
        message: 'The credential proxy is not running.',
      });
      await app.core.services.proxy.setEnabled(true);
    });
  },
);
