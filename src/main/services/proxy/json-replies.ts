import type { ServerResponse } from 'node:http';

/** Answers with a JSON body of known length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function errorBody(
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): string {
  // Anthropic's error shape, so SDKs inside the container show the message as is.
  return JSON.stringify({ type: 'error', error: { type, message, ...extra } });
}

/** Answers with an error; once the upstream's answer has begun, only ending it is left. */
export function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, errorBody(type, message, extra), headers);
}
