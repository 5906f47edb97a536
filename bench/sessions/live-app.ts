import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createHttpCaller, type HttpCaller } from '../../src/shared/contract/http-client';
import { EVENTS_PATH } from '../../src/shared/contract/define';
import type { ImageStatus } from '../../src/shared/schemas/image';
import { ensureNodeBaseImage } from '../../test/helpers/node-base-image';
import { startScriptedLlm, type LlmRequest, type Turn } from '../../test/helpers/scripted-llm';
import { startServe, type ServeProcess } from '../../test/helpers/serve-process';
import { tempDir } from '../../test/helpers/temp';
import { sleep } from './stats';

/** Its own tag, so a test run rebuilding `:test-sessions` at the same time cannot race it. */
export const BENCH_IMAGE = 'aigo-agent-runner:bench';
export const BENCH_KEY = 'sk-ant-bench-real-key-0123456789abcdefghijklmnop';
const IMAGE_BUILD_LIMIT_MS = 300_000;

export interface SseEvent {
  /** performance.now() when this process read the event off the stream. */
  at: number;
  name: string;
  payload: Record<string, unknown>;
}

/** Every event of the app's SSE stream, kept in arrival order (bounded: one bench's worth). */
class EventLog {
  readonly events: SseEvent[] = [];
  private req: ClientRequest | null = null;
  private static readonly MAX = 200_000;

  async open(baseUrl: string, token: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const url = new URL(EVENTS_PATH, baseUrl);
      this.req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            const at = performance.now();
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let name = '';
              let data = '';
              for (const line of block.split('\n')) {
                if (line.startsWith('event:')) name = line.slice(6).trim();
                else if (line.startsWith('data:')) data += line.slice(5).trim();
              }
              if (!name || !data || this.events.length >= EventLog.MAX) continue;
              this.events.push({ at, name, payload: JSON.parse(data) as Record<string, unknown> });
            }
          });
          resolve();
        },
      );
      this.req.on('error', reject);
      this.req.end();
    });
  }

  close(): void {
    this.req?.destroy();
  }

  /** Events about one session (session.updated carries `id`, session.transcript `session`). */
  forSession(id: string, from = 0): SseEvent[] {
    return this.events.slice(from).filter((e) => e.payload.id === id || e.payload.session === id);
  }
}

export interface LiveApp {
  serve: ServeProcess;
  dataDir: string;
  call: HttpCaller;
  events: EventLog;
  llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  /** performance.now() of each LLM request, in order, with the scenario its prompt names. */
  llmSeen: { at: number; scenario: string }[];
  image: string;
  stop(): Promise<void>;
}

/** The scenario a conversation's first user message names (`SCENARIO:start …`). */
export function scenarioOf(req: LlmRequest): string {
  const first = req.body.messages[0]?.content;
  const t = typeof first === 'string' ? first : (first?.map((b) => b.text ?? '').join(' ') ?? '');
  return /SCENARIO:(\w+)/.exec(t)?.[1] ?? '';
}

/**
 * `aigo serve` as its own process (the built CLI, `--port 0`, a fresh data folder), the agent
 * image built by it on the offline test base, and a credential-proxy mapping to a scripted LLM
 * in this process: every request of the benchmark goes over 127.0.0.1.
 */
export async function startLiveApp(
  script: (req: LlmRequest) => Turn,
  env: NodeJS.ProcessEnv = {},
): Promise<LiveApp> {
  const base = ensureNodeBaseImage();
  const llmSeen: { at: number; scenario: string }[] = [];
  const llm = await startScriptedLlm((_n, req) => {
    llmSeen.push({ at: performance.now(), scenario: scenarioOf(req) });
    return script(req);
  });
  const dir = await tempDir('aigo-bench-serve-');
  let serve: ServeProcess | null = null;
  const events = new EventLog();
  const stop = async () => {
    events.close();
    if (serve) {
      const killer = setTimeout(() => serve?.child.kill('SIGKILL'), 30_000);
      await serve.stop();
      clearTimeout(killer);
    }
    await llm.close();
    await dir.cleanup();
  };
  try {
    serve = await startServe(dir.path, { AIGO_AGENT_IMAGE: BENCH_IMAGE, ...env });
    const token = new URL(serve.uiLink).hash.replace(/^#token=/, '');
    const call = createHttpCaller({ baseUrl: serve.url, token: () => token });
    await events.open(serve.url, token);
    await call('settings.update', { image: { baseImage: base, installTools: false } });
    let image = (await call('image.status')) as ImageStatus;
    if (image.state !== 'ready') {
      await call('image.build');
      const deadline = performance.now() + IMAGE_BUILD_LIMIT_MS;
      do {
        await sleep(250);
        image = (await call('image.status')) as ImageStatus;
      } while (
        (image.state === 'building' || image.state === 'missing' || image.state === 'outdated') &&
        performance.now() < deadline
      );
      if (image.state !== 'ready')
        throw new Error(`agent image not ready (${image.state}): ${image.error ?? ''}`);
    }
    await call('proxy.createMapping', {
      name: 'Scripted LLM',
      kind: 'anthropic',
      upstreamUrl: llm.url,
      placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
      apiKey: BENCH_KEY,
    });
    return { serve, dataDir: dir.path, call, events, llm, llmSeen, image: image.image, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
