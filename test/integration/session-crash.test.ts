import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, SessionDetail } from '../../src/shared/schemas/sessions';
import { REAL_KEY, SESSION_TEST_IMAGE } from '../helpers/agent-app';
import { ensureNodeBaseImage } from '../helpers/node-base-image';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { startScriptedLlm, text } from '../helpers/scripted-llm';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());

/**
 * Crash safety: aigo is killed (SIGKILL) while an agent container runs and while message files
 * wait to be handed on. On the next start the orphaned container is removed, the session is
 * marked as interrupted, and every waiting message is delivered exactly once.
 */
describe.runIf(runDocker)('aigo killed mid-session', () => {
  const docker = new Docker();
  let t: Awaited<ReturnType<typeof tempDir>>;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  let serve: ServeProcess | null = null;
  let dataDir: string;

  const api = async (s: ServeProcess, method: string, path: string, body?: unknown) => {
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as unknown;
    if (res.status >= 400)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const env = { AIGO_AGENT_IMAGE: SESSION_TEST_IMAGE };

  beforeAll(async () => {
    t = await tempDir('aigo-crash-');
    dataDir = join(t.path, 'data');
    // The model never answers in time: the container is mid-run when aigo dies.
    llm = await startScriptedLlm(() => ({ blocks: [text('late')], delayMs: 60_000 }));
  });
  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await llm?.close();
    await t?.cleanup();
  });

  it('removes the orphan, marks the session, and delivers each waiting message exactly once', async () => {
    serve = await startServe(dataDir, env);
    await api(serve, 'PATCH', '/api/v1/settings', {
      image: { baseImage: ensureNodeBaseImage(), installTools: false },
    });
    const image = (await api(serve, 'GET', '/api/v1/container/image/status')) as { state: string };
    if (image.state !== 'ready') {
      await api(serve, 'POST', '/api/v1/container/image/build', {});
      await expect
        .poll(
          async () =>
            (
              (await api(serve as ServeProcess, 'GET', '/api/v1/container/image/status')) as {
                state: string;
              }
            ).state,
          { timeout: 60_000 },
        )
        .toBe('ready');
    }
    await api(serve, 'POST', '/api/v1/container/credential-proxy/mappings', {
      name: 'Scripted LLM',
      kind: 'anthropic',
      upstreamUrl: llm.url,
      placeholder: 'CREDENTIAL_PROXY_PLACEHOLDER',
      apiKey: REAL_KEY,
    });
    const session = (await api(serve, 'POST', '/api/v1/container/sessions', {
      prompt: 'work slowly',
    })) as Session;
    await expect
      .poll(
        async () =>
          (
            (await api(
              serve as ServeProcess,
              'GET',
              `/api/v1/container/sessions/${session.id}`,
            )) as Session
          ).state,
        { timeout: 30_000 },
      )
      .toBe('running');
    const root = join(dataDir, 'sessions', 'main', session.id);

    // Freeze aigo so files pile up unread, then kill it: what a crash looks like.
    serve.child.kill('SIGSTOP');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `${Date.now()}-${i}.json`;
      ids.push(name);
      await writeFile(
        join(root, 'ipc/messages', `.${name}.tmp`),
        JSON.stringify({ type: 'message', chatJid: 'tg:5', text: `waiting ${i}` }),
      );
      await rename(join(root, 'ipc/messages', `.${name}.tmp`), join(root, 'ipc/messages', name));
    }
    // One was claimed (mid hand-off) when the crash came.
    await mkdir(join(root, 'claimed'), { recursive: true });
    await rename(
      join(root, 'ipc/messages', ids[0] as string),
      join(root, 'claimed', `messages--${ids[0]}`),
    );
    serve.child.kill('SIGKILL');
    await serve.stop('SIGKILL');
    serve = null;
    const orphans = await docker.listContainers({
      all: true,
      filters: { label: [`org.aigo.session=${session.id}`] },
    });
    expect(orphans).toHaveLength(1); // still there: nobody cleaned up after the kill

    serve = await startServe(dataDir, env);
    await expect
      .poll(
        async () =>
          (
            await docker.listContainers({
              all: true,
              filters: { label: [`org.aigo.session=${session.id}`] },
            })
          ).length,
        { timeout: 20_000 },
      )
      .toBe(0);
    const detail = async () =>
      (await api(
        serve as ServeProcess,
        'GET',
        `/api/v1/container/sessions/${session.id}`,
      )) as SessionDetail;
    await expect
      .poll(async () => (await detail()).transcript.filter((i) => i.kind === 'message').length, {
        timeout: 20_000,
      })
      .toBe(20);
    const after = await detail();
    expect(after).toMatchObject({ state: 'ended', lastStatus: 'failed' });
    expect(after.error).toContain('aigo stopped while this session was running');
    const delivered = after.transcript.flatMap((i) => (i.kind === 'message' ? [i.messageId] : []));
    expect(delivered.sort()).toEqual([...ids].sort());
    expect(await readdir(join(root, 'ipc/messages'))).toEqual([]);
    expect(await readdir(join(root, 'claimed'))).toEqual([]);

    // A second restart delivers nothing again.
    await serve.stop();
    serve = await startServe(dataDir, env);
    const again = await detail();
    expect(again.transcript.filter((i) => i.kind === 'message')).toHaveLength(20);
  });
});
