import { AppError } from '../../shared/errors';
import { requiresToken, type OperationDef } from '../../shared/contract/define';
import type { Dispatch } from '../dispatch';
import type { OperationTable } from '../operation-table';
import { queryObject, sendJson, type Exchange, type Routes } from './exchange';
import { requestText } from './request-body';
import { requireToken } from './security';

/** `/a/{id}/b` -> `/a/:id/b` */
export function routerPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

async function collectInput(
  exchange: Exchange,
  op: OperationDef,
): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = queryObject(exchange.query);
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    const text = await requestText(exchange);
    if (text.trim()) {
      const type = exchange.req.headers['content-type'] ?? '';
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
  Object.assign(input, exchange.params);
  return input;
}

/**
 * One route per contract operation, those added later too (the domains'); all validation
 * happens in the dispatcher.
 */
export function registerContractRoutes(
  routes: Routes,
  operations: OperationTable,
  dispatch: Dispatch,
  token: () => string,
  readsNeedToken: () => boolean,
): void {
  const register = (entries: [string, OperationDef][]) => {
    for (const [name, op] of entries) {
      routes.on(op.method, routerPath(op.path), async (exchange) => {
        if (requiresToken(op)) requireToken(exchange, token());
        else if (readsNeedToken()) requireToken(exchange, token(), 'read');
        const result = await dispatch(name, await collectInput(exchange, op));
        sendJson(exchange, result, op.successStatus ?? 200);
      });
    }
  };
  register(operations.entries());
  operations.onAdd(register);
}
