import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/main/http/server';
import { EventBus } from '../../src/main/services/events/event-bus';
import { silentLogger } from '../helpers/temp';
import { OperationTable } from '../../src/main/operation-table';
import { operations } from '../../src/shared/contract';

const RECHECK = '/api/v1/container/runtime/recheck';
const TOKEN = 'test-token-for-413';
const BODY_BYTES = 8 * 1024 * 1024; // 8 MiB, eight times the 1 MiB limit
/** Under the 1 MiB limit, so the token check (not the body limit) answers, before the body is read. */
const UNDER_LIMIT = 900 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

interface RawResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Socket errors the client saw (ECONNRESET, EPIPE, …) while sending or reading. */
  errors: string[];
  /** Bytes of the body the client managed to send before it stopped. */
  sent: number;
  /** The server ended the connection (FIN) rather than leaving it open. */
  ended: boolean;
}

/**
 * A naive keep-alive client on a raw socket: it writes the whole body whatever the server says
 * (as curl or a simple SDK would), and collects the response and every socket error it sees.
 */
function rawPost(
  port: number,
  path: string,
  headers: Record<string, string>,
  total: number,
  { chunked = false, closeWhenAnswered = false } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const errors: string[] = [];
    const received: Buffer[] = [];
    let sent = 0;
    let ended = false;
    // allowHalfOpen: keep sending after the server's FIN, as a client busy uploading would.
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const head = [
      `POST ${path} HTTP/1.1`,
      ...Object.entries({
        Host: `127.0.0.1:${port}`,
        Connection: 'keep-alive',
        'Content-Type': 'application/json',
        ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(total) }),
        ...headers,
      }).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    const frame = (data: Buffer) =>
      chunked
        ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
        : data;
    const pump = () => {
      while (sent < total && !socket.destroyed && socket.writable) {
        const piece = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
        sent += piece.length;
        const last = sent >= total;
        const data =
          last && chunked ? Buffer.concat([frame(piece), Buffer.from('0\r\n\r\n')]) : frame(piece);
        if (!socket.write(data)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (sent >= total && ended) socket.end();
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (!closeWhenAnswered) return;
      // A keep-alive answer: once it is complete, note whether the server kept the line open.
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && length && Buffer.byteLength(text.slice(split + 4)) >= Number(length[1]))
        socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    // A naive client finishes sending its body even after the server has answered and half-closed.
    socket.on('end', () => {
      ended = !socket.writableEnded; // the server closed first
      if (sent >= total) socket.end(); // else pump() ends once the last piece is written
    });
    // Bounded: a server that neither answers nor closes fails the test instead of hanging it.
    const guard = setTimeout(() => socket.destroy(new Error('no close within 10 s')), 10_000);
    socket.on('close', () => {
      clearTimeout(guard);
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, Math.max(split, 0)).split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine?.split(' ')[1] ?? 0),
        headers: parsed,
        body: split >= 0 ? text.slice(split + 4) : '',
        errors,
        sent,
        ended,
      });
    });
  });
}

describe('early error responses on the local API close the connection cleanly', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      dispatch: () => Promise.resolve({}),
      operations: new OperationTable(operations, { complete: true }),
      bus: new EventBus(),
      logger: silentLogger(),
      token: () => TOKEN,
      version: 'test',
      rendererDir: null,
    });
  });
  afterAll(() => api.stop());

  const authed = { authorization: `Bearer ${TOKEN}` };

  it.each([
    ['a Content-Length over the limit', false],
    ['a chunked body that grows past the limit', true],
  ])('answers %s with a full 413 and Connection: close, and no reset', async (_what, chunked) => {
    const res = await rawPost(api.port, RECHECK, authed, BODY_BYTES, { chunked });
    expect(res.status).toBe(413);
    expect(res.errors).toEqual([]); // no ECONNRESET / EPIPE while the client was still sending
    expect(res.sent).toBe(BODY_BYTES);
    expect(res.headers.connection).toBe('close');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    const envelope = JSON.parse(res.body) as { code: string; message: string; details: unknown };
    expect(envelope.code).toBe('PAYLOAD_TOO_LARGE');
    expect(envelope.message).toContain('1 MiB');
    expect(envelope.message).toMatch(/smaller|split|fewer/);
    expect(envelope.details).toMatchObject({ limitBytes: 1024 * 1024 });
    expect(res.ended).toBe(true);
  });

  it('answers a tokenless POST with a large body with a full 401, Connection: close, no reset', async () => {
    const res = await rawPost(api.port, RECHECK, {}, UNDER_LIMIT);
    expect(res.status).toBe(401);
    expect(res.errors).toEqual([]);
    expect(res.sent).toBe(UNDER_LIMIT);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(res.ended).toBe(true);
  });

  it('answers a refused Host on a POST with a large body with a full 403 and no reset', async () => {
    const res = await rawPost(api.port, RECHECK, { Host: 'evil.example' }, 4 * 1024 * 1024);
    expect(res.status).toBe(403);
    expect(res.errors).toEqual([]);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'FORBIDDEN' });
    expect(res.ended).toBe(true);
  });

  it('keeps a connection alive after a normal answer', async () => {
    const res = await rawPost(api.port, RECHECK, authed, 2, {
      closeWhenAnswered: true,
    });
    expect(res.status).toBe(400); // "aa" is not JSON: an error after the body was read
    expect(res.errors).toEqual([]);
    expect(res.headers.connection).not.toBe('close');
    expect(res.ended).toBe(false);
  });
});
