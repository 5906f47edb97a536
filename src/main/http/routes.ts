import type { Context, Hono } from 'hono';
import { AppError } from '../../shared/errors';
import {
  operationNames,
  operations,
  requiresToken,
  type OperationDef,
} from '../../shared/contract';
import type { Dispatch } from '../dispatch';
import { requestText } from './request-body';
import { requireToken } from './security';

/** `/a/{id}/b` -> `/a/:id/b` */
export function honoPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

export function prettyJson(c: Context, body: unknown, status: number): Response {
  // Pretty output so the guide's curl diagnostics read as written ("available": true).
  return c.body(`${JSON.stringify(body, null, 2)}\n`, status as 200, {
    'content-type': 'application/json; charset=utf-8',
  });
}

async function collectInput(c: Context, op: OperationDef): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(c.req.queries()))
    input[key] = values.length > 1 ? values : values[0];
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    const text = await requestText(c);
    if (text.trim()) {
      const type = c.req.header('content-type') ?? '';
      if (!type.includes('application/json')) {
        throw new AppError(
          'INVALID_INPUT',
          'Send the request body as JSON with "Content-Type: application/json".',
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new AppError(
          'INVALID_JSON',
          `The request body is not valid JSON: ${(error as Error).message}.`,
        );
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new AppError('INVALID_INPUT', 'The request body must be a JSON object.');
      }
      Object.assign(input, body);
    }
  }
  Object.assign(input, c.req.param());
  return input;
}

/** One route per contract operation; all validation happens in the dispatcher. */
export function registerContractRoutes(
  app: Hono,
  dispatch: Dispatch,
  token: () => string,
  readsNeedToken: () => boolean,
): void {
  for (const name of operationNames) {
    const op = operations[name] as OperationDef;
    app.on(op.method, honoPath(op.path), async (c) => {
      if (requiresToken(op)) requireToken(c, token());
      else if (readsNeedToken()) requireToken(c, token(), 'read');
      const result = await dispatch(name, await collectInput(c, op));
      return prettyJson(c, result, op.successStatus ?? 200);
    });
  }
}
