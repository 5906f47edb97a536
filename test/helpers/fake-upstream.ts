import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An LLM-API-shaped upstream that records what reaches it: `/v1/messages` (JSON), `/v1/models`
 * (key check), `/v1/stream` (server-sent events it finishes only when told), `/v1/upload`
 * (counts a streamed body and says when its first byte arrived). Tests add their own answers
 * with `route(prefix, handler)` (a redirect, a reflected header); those are recorded as they
 * arrive, before any body.
 */
export async function startFakeUpstream(validKeys: { apiKey?: string; bearer?: string }) {
  const requests: Recorded[] = [];
  const routes: [string, (req: IncomingMessage, res: ServerResponse) => void][] = [];
  let uploadsOpen = 0;
  let releaseStream: () => void = () => {};
  let streamReleased = new Promise<void>((r) => (releaseStream = r));
  let uploadStarted: () => void = () => {};
  const uploadFirstByte = new Promise<void>((r) => (uploadStarted = r));

  const authorised = (h: IncomingHttpHeaders) =>
    (validKeys.apiKey !== undefined && h['x-api-key'] === validKeys.apiKey) ||
    (validKeys.bearer !== undefined && h.authorization === `Bearer ${validKeys.bearer}`);

  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const custom = routes.find(([prefix]) => path.startsWith(prefix));
    if (custom) {
      requests.push({ method: req.method ?? '', path, headers: req.headers, body: '' });
      custom[1](req, res);
      return;
    }
    if (path.startsWith('/v1/upload')) {
      let bytes = 0;
      uploadsOpen++;
      req.on('close', () => uploadsOpen--);
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) uploadStarted();
        bytes += chunk.length;
      });
      req.on('end', () => {
        requests.push({
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: `<${bytes} bytes>`,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes }));
      });
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (!authorised(req.headers)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'authentication_error', message: 'invalid x-api-key' },
          }),
        );
        return;
      }
      if (path.startsWith('/v1/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('event: content_block_delta\ndata: {"text":"first"}\n\n');
        await streamReleased;
        res.end('event: message_stop\ndata: {"text":"last"}\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        path.startsWith('/v1/models')
          ? JSON.stringify({ data: [{ id: 'claude-test' }] })
          : JSON.stringify({
              id: 'msg_1',
              content: [{ type: 'text', text: 'hello from upstream' }],
            }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    releaseStream: () => {
      releaseStream();
      streamReleased = new Promise<void>((r) => (releaseStream = r));
    },
    uploadFirstByte,
    /** Uploads whose request has reached this upstream and not yet ended. */
    uploadsOpen: () => uploadsOpen,
    route: (prefix: string, handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      void routes.unshift([prefix, handler]),
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
