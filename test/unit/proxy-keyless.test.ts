import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { PROXY_PRESETS } from '../../src/shared/schemas/proxy';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { startProxyHarness } from '../helpers/proxy-harness';

/**
 * A local model server (Ollama, LM Studio) takes no key: its mapping is made without one, and
 * requests through it carry no credential at all — neither a key aigo does not have nor the
 * container's placeholder.
 */
describe('a mapping with no key, for a local model server', () => {
  let local: Awaited<ReturnType<typeof startFakeUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxyHarness>>;
  let token: string;

  beforeAll(async () => {
    local = await startFakeUpstream({});
    local.route('/', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        (req.url ?? '').startsWith('/v1/models')
          ? JSON.stringify({ models: [{ name: 'llama3.2' }, { name: 'qwen2.5' }] })
          : JSON.stringify({ choices: [{ message: { content: 'hi' } }] }),
      );
    });
    proxy = await startProxyHarness();
    token = proxy.service.containerConfig('keyless').token;
  });
  afterAll(async () => {
    await proxy.stop();
    await local.close();
  });

  it('the local preset asks for no key', () => {
    const preset = PROXY_PRESETS.find((p) => p.id === 'local')!;
    expect(preset.auth).toEqual({ type: 'none' });
    expect(preset.keyHint).toMatch(/no key/i);
  });

  it('is created without a key, forwards with no credential, and Test lists the models', async () => {
    const view = await proxy.service.createMapping({
      name: 'Ollama',
      kind: 'openai',
      upstreamUrl: local.url,
      auth: { type: 'none' },
    });
    expect(view).toMatchObject({ auth: { type: 'none' }, hasKey: false, keyLast4: null });

    const res = await proxy.send(
      '/v1/chat/completions',
      { authorization: `Bearer ${view.placeholder}`, 'x-aigo-session': token },
      { body: '{"model":"llama3.2"}' },
    );
    expect(res.status).toBe(200);
    const seen = local.requests.at(-1)!;
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(view.placeholder);

    const test = await proxy.service.testMapping(view.id);
    expect(test).toMatchObject({ result: 'reachable', status: 200 });
    expect(test.message).toContain('llama3.2');
    expect(local.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('a mapping that sends a key still needs one, and the refusal says how to go without', async () => {
    const refusal = await proxy.service
      .createMapping({
        name: 'Needs a key',
        kind: 'openai',
        upstreamUrl: local.url,
        auth: { type: 'bearer' },
      })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).message).toMatch(/API key.*No key/);
  });

  it('switching a mapping to no key deletes its stored key; switching back needs a new one', async () => {
    const keyed = await proxy.service.createMapping({
      name: 'Was keyed',
      kind: 'openai',
      upstreamUrl: local.url,
      auth: { type: 'bearer' },
      apiKey: 'sk-local-0123456789',
    });
    expect(keyed.hasKey).toBe(true);
    const none = await proxy.service.updateMapping({ id: keyed.id, auth: { type: 'none' } });
    expect(none).toMatchObject({ hasKey: false, auth: { type: 'none' } });
    const back = await proxy.service
      .updateMapping({ id: keyed.id, auth: { type: 'bearer' } })
      .catch((e: unknown) => e);
    expect((back as AppError).message).toMatch(/needs its real API key/);
    const withKey = await proxy.service.updateMapping({
      id: keyed.id,
      auth: { type: 'bearer' },
      apiKey: 'sk-local-9876543210',
    });
    expect(withKey).toMatchObject({ hasKey: true, keyLast4: '…3210' });
  });
});
