import type { Readable, Writable } from 'node:stream';

/** Changes a body on its way (the key mask): what may go on now, and what was held at the end. */
export interface BodyChange {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

/**
 * `source.pipe(dest)` for one HTTP body, with the same back-pressure (the source pauses while
 * the destination's buffer is full and resumes on its drain) and an optional change on the
 * way. Written out because `pipe` sets up and tears down seven listeners per body, a
 * measurable share of the credential proxy's cost per request (issue 17). Errors are handled
 * by the caller, as with `pipe`: a destroyed destination takes no more writes and the
 * exchange's own close ends the other side.
 */
export function relayBody(source: Readable, dest: Writable, change?: BodyChange): void {
  const resume = () => source.resume();
  source.on('data', (chunk: Buffer) => {
    const out = change ? change.push(chunk) : chunk;
    if (out.length && !dest.write(out)) {
      source.pause();
      dest.once('drain', resume);
    }
  });
  source.on('end', () => {
    const rest = change?.end();
    if (rest?.length) dest.end(rest);
    else dest.end();
  });
}
