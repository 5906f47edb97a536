import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../src/shared/schemas/channels';
import type { Session } from '../../src/shared/schemas/sessions';
import { REAL_KEY, SESSION_TEST_IMAGE } from '../helpers/agent-app';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { ensureNodeBaseImage } from '../helpers/node-base-image';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { startScriptedLlm, text } from '../helpers/scripted-llm';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());
const TOKEN = '7000001:AAE-crash-test-abcdefghijklmnopqrstuvw';

/**
 * Replies an agent wrote while Telegram was away are queued on disk; aigo is then killed
 * (SIGKILL), some replies still unread in the agent's IPC folder. After the restart, with
 * Telegram back, every reply reaches the chat exactly once.
 */
describe.runIf(runDocker)('aigo killed with chat replies queued', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  let telegram: FakeTelegram;
  let serve: ServeProcess | null = null;
  let dataDir: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    const res = await fetch(`${serve!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as unknown;
    if (res.status >= 400)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const channel = async () => (await api('GET', '/api/v1/channels/telegram')) as ChannelStatus;

  beforeAll(async () => {
    t = await tempDir('aigo-chan-crash-');
    dataDir = join(t.path, 'data');
    llm = await startScriptedLlm(() => ({ blocks: [text('late')], delayMs: 60_000 }));
    telegram = await startFakeTelegram({ token: TOKEN });
  });
  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await llm?.close();
    await telegram?.close();
    await t?.cleanup();
  });

  it('loses no reply and sends none twice', async () => {
    const env = { AIGO_AGENT_IMAGE: SESSION_TEST_IMAGE, AIGO_TELEGRAM_API_ROOT: telegram.apiRoot };
    serve = await startServe(dataDir, env);
    await api('PATCH', '/api/v1/settings', {
      image: { baseImage: ensureNodeBaseImage(), installTools: false },
    });
    if (
      ((await api('GET', '/api/v1/container/image/status')) as { state: string }).state !== 'ready'
    ) {
      await api('POST', '/api/v1/container/image/build', {});
      await expect
        .poll(
          async () =>
            ((await api('GET', '/api/v1/container/image/status')) as { state: string }).state,
          {
            timeout: 60_000,
          },
        )
        .toBe('ready');
    }
    await api('POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'Scripted LLM',
      kind: 'anthropic',
      upstreamUrl: llm.url,
      apiKey: REAL_KEY,
    });
    await api('PATCH', '/api/v1/channels/telegram', {
      enabled: true,
      credentials: { botToken: TOKEN },
    });
    await expect.poll(async () => (await channel()).state, { timeout: 10_000 }).toBe('connected');
    const session = (await api('POST', '/api/v1/container/sessions', {
      prompt: 'work slowly',
    })) as Session;
    await expect
      .poll(
        async () =>
          ((await api('GET', `/api/v1/container/sessions/${session.id}`)) as Session).state,
        {
          timeout: 30_000,
        },
      )
      .toBe('running');
    const messages = join(dataDir, 'sessions', 'main', session.id, 'ipc', 'messages');
    const drop = async (i: number) => {
      const name = `${Date.now()}-${i}.json`;
      await writeFile(
        join(messages, `.${name}.tmp`),
        JSON.stringify({ type: 'message', chatJid: 'tg:5', text: `reply ${i}` }),
      );
      await rename(join(messages, `.${name}.tmp`), join(messages, name));
    };

    // Telegram goes away: these ten are handed to the channel and wait in its queue on disk.
    await telegram.goAway();
    await expect
      .poll(async () => (await channel()).state, { timeout: 10_000 })
      .toBe('reconnecting');
    for (let i = 0; i < 10; i++) await drop(i);
    await expect.poll(async () => (await channel()).queueDepth, { timeout: 10_000 }).toBe(10);
    // Ten more sit unread when aigo dies.
    serve.child.kill('SIGSTOP');
    for (let i = 10; i < 20; i++) await drop(i);
    serve.child.kill('SIGKILL');
    await serve.stop('SIGKILL');
    serve = null;

    await telegram.comeBack();
    serve = await startServe(dataDir, env);
    await expect.poll(() => telegram.sent.length, { timeout: 30_000 }).toBe(20);
    // Nothing more arrives later (no second delivery of anything).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const texts = telegram.sent.map((m) => m.text);
    expect(new Set(texts).size).toBe(20);
    expect([...texts].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `reply ${i}`).sort());
    expect(telegram.sent.every((m) => m.chatId === '5')).toBe(true);
    expect((await channel()).queueDepth).toBe(0);

    // Another restart sends nothing again.
    await serve.stop();
    serve = await startServe(dataDir, env);
    await expect.poll(async () => (await channel()).state, { timeout: 10_000 }).toBe('connected');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(telegram.sent).toHaveLength(20);
  }, 180_000);
});
