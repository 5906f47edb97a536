import type { AppOptions } from '../../src/main/app';
import { realHostEnv } from '../../src/main/services/runtime/host-env';
import type { ImageStatus } from '../../src/shared/schemas/image';
import { startTestApp } from './app';
import { ensureNodeBaseImage } from './node-base-image';
import { startScriptedLlm, type LlmRequest, type Turn } from './scripted-llm';
import { requireBuild } from './serve-process';

export const SESSION_TEST_IMAGE = 'aigo-agent-runner:test-sessions';
export const REAL_KEY = 'sk-ant-test-real-key-0123456789abcdefghijklmnop';

/**
 * A real core on the real engine, ready to run agent sessions: the agent image built from the
 * offline base, and a credential-proxy mapping to a scripted LLM that speaks the Messages API.
 */
export async function startAgentApp(
  script: Turn[] | ((n: number, req: LlmRequest) => Turn),
  options: {
    dataDir?: string;
    sessionCloseGraceMs?: number;
    appOptions?: Partial<AppOptions>;
  } = {},
) {
  requireBuild();
  const base = ensureNodeBaseImage();
  const llm = await startScriptedLlm(script);
  const app = await startTestApp({
    hostEnv: realHostEnv(),
    agentImage: SESSION_TEST_IMAGE,
    sessionCloseGraceMs: options.sessionCloseGraceMs ?? 3000,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...options.appOptions,
  });
  const call = (op: string, input: unknown = {}) => app.core.dispatch(op, input);
  try {
    await call('settings.update', { image: { baseImage: base, installTools: false } });
    let image = (await call('image.status')) as ImageStatus;
    if (image.state !== 'ready') {
      await call('image.build');
      image = await app.core.services.image.settled();
      if (image.state !== 'ready')
        throw new Error(`agent image build failed: ${image.error}\n${image.output}`);
    }
    const mappings = (await call('proxy.get')) as {
      mappings: { id: string; name: string; upstreamUrl: string }[];
    };
    // A restart on the same data folder: the mapping made before points at the old server.
    const earlier = mappings.mappings.find((m) => m.name === 'Scripted LLM');
    if (earlier && earlier.upstreamUrl !== llm.url)
      await call('proxy.updateMapping', { id: earlier.id, upstreamUrl: llm.url, apiKey: REAL_KEY });
    else if (!earlier)
      await call('proxy.createMapping', {
        name: 'Scripted LLM',
        kind: 'anthropic',
        upstreamUrl: llm.url,
        placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
        apiKey: REAL_KEY,
      });
  } catch (error) {
    await app.stop();
    await llm.close();
    throw error;
  }
  return {
    ...app,
    llm,
    call,
    stop: async () => {
      await app.stop();
      await llm.close();
    },
  };
}
