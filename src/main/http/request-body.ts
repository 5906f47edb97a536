import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../shared/errors';

/** Every operation takes a JSON object well under this. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The answer to a body past the limit, whether its length was declared or found by reading. */
export function payloadTooLarge(declared: number | null): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than the local API's limit of 1 MiB${declared !== null ? ` (${declared} bytes sent)` : ''}. Send a smaller JSON body: every operation takes a JSON object well under 1 MiB, so split a large change into several requests.`,
    { limitBytes: MAX_BODY_BYTES, ...(declared !== null ? { receivedBytes: declared } : {}) },
  );
}

/**
 * The request body as text, read from Node's request directly where there is one: going through
 * a web Request and its ReadableStream cost more than the rest of a small request's handling.
 * The limit holds for bodies without a declared length too.
 */
export function requestText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.text();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_BODY_BYTES) return void chunks.push(chunk);
      incoming.off('data', onData);
      reject(payloadTooLarge(null));
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}

/**
 * Refuses a body whose declared length is past the limit before anything reads it; a body
 * without one (chunked) is held to the limit as `requestText` reads it. (Hono's bodyLimit
 * turned every request into a web Request with a stream over its body just to look.)
 */
export function declaredBodyLimit(): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (
      declared !== undefined &&
      c.req.header('transfer-encoding') === undefined &&
      Number(declared) > MAX_BODY_BYTES
    )
      throw payloadTooLarge(Number(declared));
    await next();
  };
}
