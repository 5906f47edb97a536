import { header, readBody, type Exchange } from './exchange';
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

/** Refuses a body whose declared length is past the limit before anything reads it. */
export function checkDeclaredBodyLimit(exchange: Exchange): void {
  const declared = header(exchange, 'content-length');
  if (
    declared !== undefined &&
    header(exchange, 'transfer-encoding') === undefined &&
    Number(declared) > MAX_BODY_BYTES
  )
    throw payloadTooLarge(Number(declared));
}

/** The request body as text; a body without a declared length (chunked) is held to the limit too. */
export async function requestText(exchange: Exchange): Promise<string> {
  const body = await readBody(exchange.req, MAX_BODY_BYTES, () => payloadTooLarge(null));
  return body.toString('utf8');
}
