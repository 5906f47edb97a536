/**
 * A non-TTY container's log stream frames every chunk with an 8-byte header (stream id, size).
 * Strips the frames and returns the text. (A TTY container's logs are unframed, but dockerode
 * may parse them as JSON when they look like it, so aigo never uses TTY for output it reads.)
 */
export function demuxDockerLogs(buffer: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(i + 4);
    out += buffer.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}
