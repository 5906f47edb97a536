import { open, type FileHandle } from 'node:fs/promises';

/**
 * Reading an audit file's lines in bounded memory: forwards (to build a summary), backwards
 * from a byte position (a query, newest first), or only the lines a posting list names. Lines
 * are split at 0x0a bytes, never at string positions: a multi-byte UTF-8 character never holds
 * that byte, and a line's offset and length are in bytes, as the postings keep them.
 *
 * A visitor gets a line's text (without its newline), its byte offset and byte length.
 */
export type LineVisitor = (text: string, offset: number, length: number) => boolean | void;

const FORWARD_CHUNK = 256 * 1024;
const MIN_BACKWARD_CHUNK = 64 * 1024;
const MAX_BACKWARD_CHUNK = 1024 * 1024;
/**
 * An entry is at most 8 KB (entry-limits.ts); older versions wrote longer ones. A run of more
 * bytes than this without a newline is no entry worth reading: skipped, so memory stays bounded.
 */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Posted lines closer than this are read in one go, up to `MAX_RANGE` bytes per read. */
const COALESCE_GAP = 4 * 1024;
const MAX_RANGE = 256 * 1024;
/** At most this many posted lines and bytes are read at once. */
const MAX_BATCH_LINES = 1024;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Every line of a file, first to last (an unterminated last line too). */
export async function forEachLine(file: string, visit: LineVisitor): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(FORWARD_CHUNK);
    let carry: Buffer | null = null; // the start of a line the previous chunk ended in
    let carryOffset = 0;
    let skipping = false; // inside a line too long to keep
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      let buf = chunk.subarray(0, bytesRead);
      let base = position;
      if (carry) [buf, base, carry] = [Buffer.concat([carry, buf]), carryOffset, null];
      position += bytesRead;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        if (skipping) skipping = false;
        else if (nl > start) visit(buf.toString('utf8', start, nl), base + start, nl - start);
        start = nl + 1;
      }
      if (start < buf.length && !skipping) {
        if (buf.length - start > MAX_LINE_BYTES) skipping = true;
        else [carry, carryOffset] = [Buffer.from(buf.subarray(start)), base + start];
      }
    }
    if (carry) visit(carry.toString('utf8'), carryOffset, carry.length);
  } finally {
    await handle.close();
  }
}

/**
 * The lines in bytes [0, end) of a file, last first, until `visit` returns true. With needles,
 * only the lines holding every one of them are visited (the first is searched for: the rarest
 * should come first), so lines that cannot match are never decoded. Read in chunks that grow
 * from 64 KB to 1 MB into one buffer: a short scan reads little, a long one in few reads.
 */
export async function scanBackward(
  handle: FileHandle,
  end: number,
  needles: readonly Buffer[],
  visit: LineVisitor,
): Promise<void> {
  const [needle, ...others] = needles;
  let chunk = MIN_BACKWARD_CHUNK;
  let work = Buffer.allocUnsafe(2 * chunk);
  // work[0, tail) holds the end of a line that starts in the bytes before `position`; while
  // `skipping`, that line is too long to keep and its start is dropped too.
  let tail = 0;
  let skipping = false;
  for (let position = end; position > 0; chunk = Math.min(MAX_BACKWARD_CHUNK, 2 * chunk)) {
    const start = Math.max(0, position - chunk);
    const length = position - start;
    if (length + tail > work.length) {
      const bigger = Buffer.allocUnsafe(2 * (length + tail));
      work.copy(bigger, length, 0, tail);
      work = bigger;
    } else if (tail) work.copy(work, length, 0, tail); // (copy allows overlap)
    const { bytesRead } = await handle.read(work, 0, length, start);
    if (bytesRead !== length) return; // cut under us: nothing further to trust
    position = start;
    const buf = work.subarray(0, length + tail);
    // Complete lines lie in [from, to): after the first newline (unless at the file's start),
    // and before the last one while skipping the end of a line too long to keep.
    const first = buf.indexOf(NEWLINE);
    const from = start === 0 ? 0 : first + 1;
    let to = buf.length;
    if (skipping) {
      to = buf.lastIndexOf(NEWLINE) + 1;
      if (to === 0) continue; // all of it belongs to that line
      skipping = false;
    }
    tail = start === 0 ? 0 : from > 0 ? from : to; // no newline: all of it is one line's end
    if (tail > MAX_LINE_BYTES) [tail, skipping] = [0, true];
    if (start > 0 && from === 0) continue;
    if (visitBackward(buf, from, to, needle, others, start, visit)) return;
  }
}

/** The lines in buf[from, to) (`base`: buf's offset in the file), last first. */
function visitBackward(
  buf: Buffer,
  from: number,
  to: number,
  needle: Buffer | undefined,
  others: readonly Buffer[],
  base: number,
  visit: LineVisitor,
): boolean {
  const visitLine = (s: number, e: number) =>
    e > s &&
    others.every((other) => buf.subarray(s, e).includes(other)) &&
    visit(buf.toString('utf8', s, e), base + s, e - s) === true;
  if (!needle) {
    for (let e = to; e > from;) {
      const s = Math.max(from, buf.lastIndexOf(NEWLINE, e - 1) + 1);
      if (visitLine(s, e)) return true;
      e = s - 1;
    }
    return false;
  }
  const hits: number[] = [];
  for (
    let at = buf.indexOf(needle, from);
    at !== -1 && at + needle.length <= to;
    at = buf.indexOf(needle, at + needle.length)
  )
    hits.push(at);
  for (let h = hits.length - 1, stop = to; h >= 0; h--) {
    const at = hits[h]!;
    if (at >= stop) continue; // in a line already visited
    const s = Math.max(from, buf.lastIndexOf(NEWLINE, at) + 1);
    const nl = buf.indexOf(NEWLINE, at);
    if (visitLine(s, nl === -1 || nl > to ? to : nl)) return true;
    stop = s;
  }
  return false;
}

/**
 * The lines a posting list names (`[offset, length, …]` oldest first), those that end by `end`,
 * last first, until `visit` returns true. Read in batches of concurrent positioned reads, near
 * lines in one read; the first batch sized for the `wanted` lines, later ones growing.
 */
export async function readPosted(
  handle: FileHandle,
  list: readonly number[],
  end: number,
  wanted: number,
  visit: LineVisitor,
): Promise<void> {
  let next = lastEndingBy(list, end);
  let batch = Math.min(MAX_BATCH_LINES, Math.max(16, wanted));
  while (next >= 0) {
    const ranges: { start: number; end: number; buf?: Buffer }[] = [];
    const lines: { offset: number; length: number; range: number }[] = [];
    let bytes = 0;
    for (; next >= 0 && lines.length < batch && bytes < MAX_BATCH_BYTES; next--) {
      const offset = list[2 * next]!;
      const length = list[2 * next + 1]!;
      const stop = offset + length;
      const last = ranges.at(-1);
      if (
        last &&
        stop <= last.start &&
        last.start - stop <= COALESCE_GAP &&
        last.end - offset <= MAX_RANGE
      ) {
        bytes += last.start - offset;
        last.start = offset;
      } else {
        bytes += length;
        ranges.push({ start: offset, end: stop });
      }
      lines.push({ offset, length, range: ranges.length - 1 });
    }
    await Promise.all(
      ranges.map(async (range) => {
        const buf = Buffer.allocUnsafe(range.end - range.start);
        const { bytesRead } = await handle.read(buf, 0, buf.length, range.start);
        range.buf = buf.subarray(0, bytesRead);
      }),
    );
    for (const { offset, length, range } of lines) {
      const { buf, start } = ranges[range]!;
      const at = offset - start;
      if (!buf || at + length > buf.length) continue; // the file is shorter than its index
      if (visit(buf.toString('utf8', at, at + length), offset, length)) return;
    }
    batch = Math.min(MAX_BATCH_LINES, batch * 4);
  }
}

/** The index of the last pair in `list` whose line ends by `end`, or -1. */
function lastEndingBy(list: readonly number[], end: number): number {
  let lo = 0;
  let hi = list.length / 2; // pairs [lo, hi) are still in question
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[2 * mid]! + list[2 * mid + 1]! <= end) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
