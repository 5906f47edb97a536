import { AppError, errorEnvelopeSchema } from '../errors';
import {
  operations,
  pathParams,
  type OperationInput,
  type OperationName,
  type OperationOutput,
} from './index';

export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:55765`; empty for same-origin in the browser. */
  baseUrl: string;
  token: () => string | null;
  fetch?: typeof fetch;
}

/**
 * Calls an operation over the local HTTP API, built from the contract: the browser's web
 * transport and the CLI both use this, so neither writes a URL or a method by hand.
 */
export function createHttpCaller(options: HttpClientOptions) {
  const doFetch = options.fetch ?? fetch;
  return async function call<N extends OperationName>(
    name: N,
    input?: OperationInput<N>,
  ): Promise<OperationOutput<N>> {
    const op = operations[name];
    const values: Record<string, unknown> = { ...((input ?? {}) as Record<string, unknown>) };
    let path = op.path;
    for (const param of pathParams(op.path)) {
      path = path.replace(`{${param}}`, encodeURIComponent(String(values[param] ?? '')));
      delete values[param];
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (op.method === 'GET' || op.method === 'DELETE') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(values))
        if (value !== undefined && value !== null) query.set(key, String(value));
      const qs = query.toString();
      if (qs) path += `?${qs}`;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(values);
    }
    // Sent with reads too: where agents share the host's network, the app asks for it on every route.
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, { method: op.method, headers, body });
    } catch (error) {
      throw new AppError(
        'UNREACHABLE',
        `Cannot reach aigo at ${options.baseUrl || 'this page'}: ${(error as Error).message}. Is it running?`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new AppError(
        'INTERNAL',
        `aigo answered ${response.status} with a body that is not JSON.`,
      );
    }
    if (!response.ok) {
      const envelope = errorEnvelopeSchema.safeParse(json);
      if (envelope.success) throw AppError.fromEnvelope(envelope.data);
      throw new AppError('INTERNAL', `aigo answered ${response.status} ${response.statusText}.`);
    }
    return json as OperationOutput<N>;
  };
}

export type HttpCaller = ReturnType<typeof createHttpCaller>;
