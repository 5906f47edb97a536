import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/main/http/server';
import { EventBus } from '../../src/main/services/events/event-bus';
import { silentLogger } from '../helpers/temp';
import { OperationTable } from '../../src/main/operation-table';
import { operations } from '../../src/shared/contract';

const TOKEN = 'test-token-for-stop';

/** GET over `agent`; the status, the Connection header and the body. */
function get(port: number, agent: Agent) {
  return new Promise<{ status: number; connection: string; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/container/runtime',
        agent,
        headers: { authorization: `Bearer ${TOKEN}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connection: String(res.headers.connection),
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('a stopping API', () => {
  it('finishes the answer under way and takes no new call, even on a kept-alive connection', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      // The first call is slow (it waited for the start-up, say); any later one is quick.
      dispatch: async () => {
        calls++;
        if (calls === 1) await held;
        return {};
      },
      operations: new OperationTable(operations, { complete: true }),
      bus: new EventBus(),
      logger: silentLogger(),
      token: () => TOKEN,
      version: 'test',
      rendererDir: null,
    });
    // One socket: the second call goes on the connection the first one kept alive.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = get(api.port, agent);
      await new Promise((r) => setTimeout(r, 50)); // the first call is under way
      const stopped = api.stop();
      const second = get(api.port, agent);
      release();
      expect((await first).status).not.toBe(503);
      const refused = await second;
      expect(refused.status).toBe(503);
      expect(refused.connection).toBe('close');
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNAVAILABLE' });
      await stopped;
      expect(calls).toBe(1); // the refused call never reached a handler
    } finally {
      agent.destroy();
    }
  });
});
