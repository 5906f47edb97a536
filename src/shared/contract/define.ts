import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One operation of the app: its HTTP shape and its schemas. The HTTP routes, the Electron IPC
 * handlers, the preload's `window.aigo` and the renderer's client are all derived from these.
 */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** OpenAPI-style path; `{name}` segments are filled from the input field of that name. */
  path: string;
  summary: string;
  tag: string;
  input: I;
  output: O;
  /**
   * `none`: read-only diagnostics the guide runs with plain curl. `token`: needs the API token.
   * Defaults to `none` for GET and `token` for everything else.
   */
  auth?: 'none' | 'token';
  /** HTTP status of a success; 200 unless set. */
  successStatus?: 200 | 201 | 202;
}

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(
  def: OperationDef<I, O>,
): OperationDef<I, O> {
  return def;
}

export function requiresToken(op: Pick<OperationDef, 'method' | 'auth'>): boolean {
  return (op.auth ?? (op.method === 'GET' ? 'none' : 'token')) === 'token';
}

/** `/api/v1/schedules/{id}/logs` -> `['id']` */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
}

/** The server-sent event stream (its events: events.ts). Here, without schemas, for the API's start. */
export const EVENTS_PATH = '/api/v1/events';
