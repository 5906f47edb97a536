import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type AppCore } from '../../src/main/app';
import { startupDispatcher } from '../../src/main/dispatch';
import { OperationTable } from '../../src/main/operation-table';
import { operations } from '../../src/shared/contract';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { fakeHost } from '../helpers/fake-host';
import { silentLogger, tempDir } from '../helpers/temp';

/** A promise the test settles itself: here, the container engine's first answer. */
function held<T>() {
  let release!: (value: T) => void;
  let refuse!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    release = resolve;
    refuse = reject;
  });
  return { promise, release, refuse };
}

/** Settled within `ms`, or 'pending'. */
function within<T>(promise: Promise<T>, ms = 150): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

describe('the start-up dispatcher', () => {
  const logger = silentLogger();
  const allOperations = new OperationTable(operations, { complete: true });

  it('answers the early operations at once and holds every other one until the start-up is over', async () => {
    const startup = startupDispatcher(
      { 'settings.get': () => defaultSettings() },
      logger,
      allOperations,
    );
    expect(await startup.dispatch('settings.get', {})).toEqual(defaultSettings());
    const waiting = startup.dispatch('groups.list', {});
    expect(await within(waiting)).toBe('pending');
    startup.open(async (name) => ({ full: name }));
    expect(await waiting).toEqual({ full: 'groups.list' });
    // From then on everything, early ones too, runs on the full dispatcher.
    expect(await startup.dispatch('settings.get', {})).toEqual({ full: 'settings.get' });
  });

  it('still checks an early operation input, and names unknown operations', async () => {
    const startup = startupDispatcher(
      { 'mounts.validate': () => ({}) as never },
      logger,
      allOperations,
    );
    await expect(startup.dispatch('no.such', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(startup.dispatch('mounts.validate', { hostPath: 42 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('tells a call that waited too long to try again, and lets the others wait on', async () => {
    vi.useFakeTimers();
    try {
      const startup = startupDispatcher({}, logger, allOperations, 60_000);
      const first = startup.dispatch('groups.list', {});
      const firstSettled = first.catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(30_000);
      const second = startup.dispatch('sessions.list', {});
      await vi.advanceTimersByTimeAsync(30_000);
      expect(await firstSettled).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('still starting after 60 s'),
      });
      startup.open(async (name) => ({ full: name }));
      expect(await second).toEqual({ full: 'sessions.list' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells those waiting, and later callers, why the start-up failed', async () => {
    const startup = startupDispatcher({}, logger, allOperations);
    const waiting = startup.dispatch('groups.list', {});
    startup.fail(new Error('the data folder is read-only'));
    await expect(waiting).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('aigo could not start: the data folder is read-only'),
    });
    await expect(startup.dispatch('sessions.list', {})).rejects.toMatchObject({
      message: expect.stringContaining('could not start'),
    });
  });
});

describe('aigo starting while the container engine has not answered yet', () => {
  let core: AppCore | null = null;
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await core?.stop();
    await cleanup?.();
    core = null;
  });

  /**
   * createApp in a fresh data folder whose engine check hangs until `engine.release`; resolves
   * once the API listens, with what the test needs to call it.
   */
  async function startWithEngineHeld(
    name: string,
    options: { before?: (dataDir: string) => Promise<void>; abort?: AbortSignal } = {},
  ) {
    const dir = await tempDir(name);
    cleanup = dir.cleanup;
    await options.before?.(dir.path);
    const engine = held<boolean>();
    const listening = held<{ url: string; token: string }>();
    const starting = createApp({
      mode: 'headless',
      dataDir: dir.path,
      port: 0,
      proxyPort: 0,
      // The engine's socket check hangs until the test lets it answer ("no socket").
      hostEnv: fakeHost({ socketExists: () => engine.promise }),
      onListening: (api) => listening.release(api),
      ...(options.abort ? { abort: options.abort } : {}),
    });
    const failed = starting.then(
      () => null,
      (error: Error) => error,
    );
    const { url, token } = await listening.promise;
    return {
      dataDir: dir.path,
      engine,
      starting,
      failed,
      url,
      auth: { authorization: `Bearer ${token}` },
    };
  }

  it('serves the API at once: the runtime reads "Detecting", the rest waits for the engine, reads need the token', async () => {
    const { dataDir, engine, starting, url, auth } = await startWithEngineHeld('aigo-startup-');

    const runtime = await fetch(`${url}/api/v1/container/runtime`, { headers: auth });
    expect(runtime.status).toBe(200);
    expect(((await runtime.json()) as { message: string }).message).toBe(
      'Detecting the container runtime…',
    );
    // Until the sessions domain knows whether agents reach this computer's loopback, a read
    // without the token learns nothing.
    expect((await fetch(`${url}/api/v1/container/runtime`)).status).toBe(401);

    // Nothing else is open without the token either, and the platforms are told to retry.
    for (const path of ['/api/v1/app', '/api/v1/settings', '/api/v1/events']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
    // The settings answer while the engine is still being detected (their route and schema
    // load just after the first answer).
    const settingsAnswer = await fetch(`${url}/api/v1/settings`, { headers: auth });
    expect(settingsAnswer.status).toBe(200);
    expect(await settingsAnswer.json()).toMatchObject({ runtime: { preferred: 'auto' } });
    const webhook = await fetch(`${url}/api/v1/channels/telegram/webhook`, {
      method: 'POST',
      body: '{}',
    });
    expect(webhook.status).toBe(503);
    expect(await webhook.text()).toContain('starting');
    // The CLI finds the app already; what it asks waits like any call.
    await vi.waitFor(() => expect(existsSync(join(dataDir, 'mgmt-api.json'))).toBe(true));

    // A domain's operation, and a path that may turn out to be one, wait for the domains to
    // load: neither is a 404 just because its route is not there yet.
    const groups = fetch(`${url}/api/v1/container/namespaces`, { headers: auth });
    const bogus = fetch(`${url}/api/v1/no-such-thing`, { headers: auth });
    expect(await within(groups)).toBe('pending');
    expect(await within(bogus)).toBe('pending');

    engine.release(false);
    core = await starting;
    expect((await bogus).status).toBe(404);
    const answered = await groups;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ groups: expect.any(Array) });
    const after = (await (
      await fetch(`${url}/api/v1/container/runtime`, { headers: auth })
    ).json()) as { available: boolean; message: string };
    expect(after.available).toBe(false);
    expect(after.message).not.toBe('Detecting the container runtime…');
  });

  it('answers what waited with the reason when the start-up fails, and frees the port', async () => {
    // A file where the squads' folder goes: the squads domain cannot start.
    const { engine, failed, url, auth } = await startWithEngineHeld('aigo-startup-fail-', {
      before: (dataDir) => writeFile(join(dataDir, 'squads'), 'not a folder'),
    });
    const groups = fetch(`${url}/api/v1/container/namespaces`, { headers: auth });
    expect(await within(groups)).toBe('pending');
    engine.release(false);
    const answered = await groups;
    expect(answered.status).toBe(500);
    expect(((await answered.json()) as { message: string }).message).toContain(
      'aigo could not start',
    );
    expect((await failed)?.message).toContain('EEXIST');
    await expect(fetch(`${url}/api/v1/container/runtime`)).rejects.toThrow();
  });

  it('unwinds when stopped during the start-up: the call that waited is answered, the port, lock and discovery file are freed', async () => {
    const stopping = new AbortController();
    const { dataDir, engine, failed, url, auth } = await startWithEngineHeld(
      'aigo-startup-abort-',
      { abort: stopping.signal },
    );
    const groups = fetch(`${url}/api/v1/container/namespaces`, { headers: auth });
    expect(await within(groups)).toBe('pending');
    stopping.abort(new Error('stopped during the start-up'));
    engine.release(false);
    expect((await failed)?.message).toBe('stopped during the start-up');
    const answered = await groups;
    expect(answered.status).toBe(500);
    expect(((await answered.json()) as { message: string }).message).toContain(
      'stopped during the start-up',
    );
    expect(existsSync(join(dataDir, 'aigo.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'mgmt-api.json'))).toBe(false);
    await expect(fetch(`${url}/api/v1/app/info`)).rejects.toThrow();
  });
});

/** createApp in `dataDir` on free ports, with no engine, calling `onListening` with its link. */
function startIn(dataDir: string, onListening: (api: { url: string; token: string }) => void) {
  return createApp({
    mode: 'headless',
    dataDir,
    port: 0,
    proxyPort: 0,
    hostEnv: fakeHost({}),
    onListening,
  });
}

describe('aigo failing just after its link went out', () => {
  it('answers what came with the link: an early call at once, the rest with the reason; port, lock and discovery file are freed', async () => {
    const dir = await tempDir('aigo-startup-early-fail-');
    try {
      // A file where the log folder goes: the app's log, loaded after the API attached, fails.
      await writeFile(join(dir.path, 'logs'), 'not a folder');
      let early: Promise<Response> | null = null;
      let later: Promise<Response> | null = null;
      let url = '';
      // Sent the moment the link is out, as a browser opening it would.
      const starting = startIn(dir.path, (api) => {
        url = api.url;
        const headers = { authorization: `Bearer ${api.token}` };
        early = fetch(`${api.url}/api/v1/container/runtime`, { headers });
        later = fetch(`${api.url}/api/v1/container/namespaces`, { headers });
      });
      await expect(starting).rejects.toThrow(/EEXIST|ENOTDIR/);
      const runtime = await early!;
      expect(runtime.status).toBe(200);
      expect(((await runtime.json()) as { message: string }).message).toBe(
        'Detecting the container runtime…',
      );
      const groups = await later!;
      expect(groups.status).toBe(500);
      expect(((await groups.json()) as { message: string }).message).toMatch(
        /^aigo could not start: .*(EEXIST|ENOTDIR)/,
      );
      expect(existsSync(join(dir.path, 'aigo.lock'))).toBe(false);
      expect(existsSync(join(dir.path, 'mgmt-api.json'))).toBe(false);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await dir.cleanup();
    }
  });
});

describe('an embedder whose link callback throws', () => {
  it('gets the error, and the port and the lock are freed', async () => {
    const dir = await tempDir('aigo-startup-callback-');
    try {
      let url = '';
      const starting = startIn(dir.path, (api) => {
        url = api.url;
        throw new Error('the window could not open');
      });
      await expect(starting).rejects.toThrow('the window could not open');
      expect(existsSync(join(dir.path, 'aigo.lock'))).toBe(false);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await dir.cleanup();
    }
  });
});
