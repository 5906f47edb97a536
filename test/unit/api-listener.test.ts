import { afterEach, describe, expect, it } from 'vitest';
import { openApiListener, type ApiListener } from '../../src/main/http/api-listener';

/** The API's socket opens before the services behind it: what arrives meanwhile waits. */
describe('the API listener, open before its handler', () => {
  let listener: ApiListener | null = null;
  afterEach(async () => {
    await listener?.stop('test over', 50);
    listener = null;
  });

  it('holds requests until the handler is attached, then answers them in order, bodies intact', async () => {
    listener = await openApiListener({ host: '127.0.0.1', port: 0 });
    const seen: string[] = [];
    const first = fetch(`${listener.url}/a`, { method: 'POST', body: 'one' });
    const second = fetch(`${listener.url}/b`);
    await new Promise((r) => setTimeout(r, 50)); // both have arrived and wait
    listener.attach((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.url} ${body}`);
        res.end(`answered ${req.url}`);
      });
    });
    expect(await (await first).text()).toBe('answered /a');
    expect(await (await second).text()).toBe('answered /b');
    expect(seen.sort()).toEqual(['/a one', '/b ']);
    // Later requests go straight to the handler.
    expect(await (await fetch(`${listener.url}/c`)).text()).toBe('answered /c');
  });

  it('tells what waited why, when the start-up ends without a handler, and frees the port', async () => {
    listener = await openApiListener({ host: '127.0.0.1', port: 0 });
    const waiting = fetch(`${listener.url}/api/v1/container/runtime`);
    await new Promise((r) => setTimeout(r, 50));
    const stopped = listener.stop('aigo could not start: the settings file is not JSON', 50);
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({
      code: 'UNAVAILABLE',
      message: 'aigo could not start: the settings file is not JSON',
    });
    await stopped;
    const url = listener.url;
    listener = null;
    await expect(fetch(url)).rejects.toThrow();
  });

  it('holds only so many: beyond that, a request during the start-up is told to come back', async () => {
    listener = await openApiListener({ host: '127.0.0.1', port: 0, maxHeld: 2 });
    const url = listener.url;
    const held = [fetch(`${url}/1`), fetch(`${url}/2`)];
    await new Promise((r) => setTimeout(r, 50));
    const third = await fetch(`${url}/3`);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { message: string }).message).toContain('starting');
    listener.attach((req, res) => res.end('ok'));
    for (const answer of await Promise.all(held)) expect(await answer.text()).toBe('ok');
  });

  it('reports a port in use with what to do', async () => {
    listener = await openApiListener({ host: '127.0.0.1', port: 0 });
    await expect(openApiListener({ host: '127.0.0.1', port: listener.port })).rejects.toThrow(
      /already in use.*--port/,
    );
  });
});
