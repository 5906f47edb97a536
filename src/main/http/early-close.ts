import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long, and how many bytes, a closing connection keeps reading a body nobody will use. */
export interface LingerLimits {
  ms: number;
  bytes: number;
}

export const DEFAULT_LINGER: LingerLimits = { ms: 5_000, bytes: 64 * 1024 * 1024 };

const lingering = new WeakSet<Socket>();

/**
 * Answers sent before the request body was read (413 body too large, 401 no token, 403 foreign
 * Host, 404) close the connection, and close it cleanly: `Connection: close` tells the client not
 * to reuse it, the answer goes out in full, then the server half-closes (FIN) and reads and
 * discards what the client is still sending until its body ends. Closing the socket while body
 * bytes are still arriving or unread makes the kernel send a reset, and a client that is still
 * writing then sees ECONNRESET/EPIPE - often before it has read the answer.
 *
 * Lingering is bounded (`limits`): a client that keeps sending past it is cut off.
 */
export function hasUnreadBody(incoming: IncomingMessage): boolean {
  if (incoming.complete) return false;
  const length = Number(incoming.headers['content-length'] ?? 0);
  return length > 0 || incoming.headers['transfer-encoding'] !== undefined;
}

/**
 * Node closes a `Connection: close` response's socket with `destroySoon()` once the answer is
 * written. On this socket that becomes:
 * end our side, keep reading until the body is complete (or the limits run out), then destroy.
 */
export function lingerOnClose(incoming: IncomingMessage, limits: LingerLimits): void {
  const socket = incoming.socket as Socket | null;
  if (!socket || socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  let started = false;
  socket.destroySoon = () => {
    if (started) return;
    started = true;
    socket.end(); // FIN once the answer is flushed; the read side stays open
    const hardStop = setTimeout(() => socket.destroy(), limits.ms);
    hardStop.unref();
    socket.once('close', () => clearTimeout(hardStop));
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.bytes) close();
    };
    // Destroy only after the answer and the FIN are flushed, or the answer could be lost.
    const close = () => {
      incoming.off('data', onData);
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    };
    if (incoming.complete) return close();
    // As Node's own req._dump(): drop the readers that no longer read, then let the body flow
    // into nothing.
    incoming.removeAllListeners('data');
    incoming.on('data', onData);
    incoming.once('end', close);
    incoming.once('error', close);
    incoming.once('aborted', close);
    incoming.resume();
  };
}
