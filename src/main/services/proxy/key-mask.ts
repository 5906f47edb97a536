import type { BodyChange } from './body-relay';

const MASK = 0x2a; // '*'
const EMPTY = Buffer.alloc(0);

/**
 * Masks the real key wherever a response body repeats it (an upstream that echoes the key it
 * got, in an error say), so the container never reads it. The mask has the key's length, so a
 * declared Content-Length still holds. Streaming stays streaming: bytes are held back only when
 * a chunk ends with what could be the start of the key, until the next chunk says.
 */
export class KeyMask implements BodyChange {
  private held: Buffer = EMPTY;

  constructor(private readonly key: Buffer) {}

  /** What of `chunk` (and of what was held) can go on now, masked. */
  push(chunk: Buffer): Buffer {
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    for (let at = data.indexOf(this.key); at >= 0; at = data.indexOf(this.key, at)) {
      data.fill(MASK, at, at + this.key.length);
      at += this.key.length;
    }
    const hold = keyStartAtEnd(data, this.key);
    this.held = hold ? Buffer.from(data.subarray(data.length - hold)) : EMPTY;
    return hold ? data.subarray(0, data.length - hold) : data;
  }

  /** The body ended: what was held is not the key (it ended before the key could). */
  end(): Buffer {
    const rest = this.held;
    this.held = EMPTY;
    return rest;
  }
}

/** How many bytes at the end of `data` are the first bytes of `key` (fewer than all of it). */
function keyStartAtEnd(data: Buffer, key: Buffer): number {
  const from = Math.max(0, data.length - key.length + 1);
  for (
    let at = data.indexOf(key[0] as number, from);
    at >= 0;
    at = data.indexOf(key[0] as number, at + 1)
  ) {
    const tail = data.length - at;
    if (data.compare(key, 0, tail, at, data.length) === 0) return tail;
  }
  return 0;
}
