import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/main/http/server';
import { OperationTable } from '../../src/main/operation-table';
import { EventBus } from '../../src/main/services/events/event-bus';
import { earlyOperations } from '../../src/shared/contract/early-operations';
import { silentLogger } from '../helpers/temp';

const TOKEN = 'test-token-for-route-waits';

/** An API whose further parts never finish loading: every unknown path would wait on them. */
async function startingApi(maxRouteWaitMs: number): Promise<ApiServer> {
  return startApiServer({
    host: '127.0.0.1',
    port: 0,
    dispatch: async () => ({}),
    operations: new OperationTable(earlyOperations),
    routesPending: () => new Promise<void>(() => undefined),
    maxRouteWaitMs,
    bus: new EventBus(),
    logger: silentLogger(),
    token: () => TOKEN,
    version: 'test',
    rendererDir: null,
  });
}

describe('a path whose part is still loading', () => {
  let api: ApiServer | null = null;
  afterEach(async () => {
    await api?.stop();
    api = null;
  });

  it('is 401 at once without the token: only a caller with the token waits', async () => {
    api = await startingApi(60_000);
    // (Waiting instead would outlast the test's time limit.)
    const answer = await fetch(`http://127.0.0.1:${api.port}/api/v1/container/sessions`);
    expect(answer.status).toBe(401);
  });

  it('is told to try again (503) when the start-up does not get there in time', async () => {
    api = await startingApi(200);
    const answer = await fetch(`http://127.0.0.1:${api.port}/api/v1/container/sessions`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('still starting'),
    });
  });
});
