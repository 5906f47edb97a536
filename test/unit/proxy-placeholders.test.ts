import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyHarness } from '../helpers/proxy-harness';

/** Two mappings made with an empty Placeholder field both used to get the guide's, and clash. */
describe('default placeholders', () => {
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;
  beforeAll(async () => {
    proxy = await startProxyHarness();
  });
  afterAll(() => proxy.stop());

  it("gives the first mapping the guide's placeholder and each later one its own", async () => {
    const make = (name: string) =>
      proxy.service.createMapping({
        name,
        kind: 'anthropic',
        upstreamUrl: 'http://127.0.0.1:9/v1',
        auth: { type: 'x-api-key' },
        apiKey: 'sk-ant-test-0123456789abcdefghijklmnop',
      });
    const first = await make('one');
    const second = await make('two');
    const third = await make('three');
    expect(first.placeholder).toBe('CREDENTIAL_PROXY_PLACEHOLDER');
    expect(second.placeholder).toBe('CREDENTIAL_PROXY_PLACEHOLDER_2');
    expect(third.placeholder).toBe('CREDENTIAL_PROXY_PLACEHOLDER_3');
  });
});
