import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { ProxyMapping } from '../../../shared/schemas/proxy';
import { downstreamHeaders, hasHeader, upstreamHeaders } from './forwarded-headers';
import { sendError } from './json-replies';
import type { ProxyLimits } from './proxy-limits';
import type { AdmittedRequest } from './request-admission';
import { relayBody } from './body-relay';
import { KeyMask } from './key-mask';
import { StallWatch } from './stall-watch';

/** A kept-alive pool and the request function of one protocol. */
interface UpstreamClient {
  agent: HttpAgent | HttpsAgent;
  request: typeof httpRequest;
}

/** What the forwarder asks and tells the proxy's owner. */
export interface ForwardingHooks {
  timeoutMs(): number;
  onResponse(
    mapping: ProxyMapping,
    status: number,
    session: string | null,
    remote: string | undefined,
    /** For the debug log: never headers or keys. */
    request?: { method: string; path: string; ms: number },
  ): void;
  onUpstreamError(mapping: ProxyMapping, message: string, timedOut: boolean): void;
}

/** `upstream base path` + `request path`, slashes collapsed, the query kept (as http-proxy did). */
export function upstreamPath(upstreamUrl: URL, requestPath: string): string {
  const q = requestPath.indexOf('?');
  const path = q < 0 ? requestPath : requestPath.slice(0, q);
  const query = q < 0 ? '' : requestPath.slice(q);
  const base = `${upstreamUrl.pathname}${upstreamUrl.search}`;
  const joined = base && path ? `${base}/${path}` : base || path;
  // Most paths hold no doubled slash; the regular expression is then skipped.
  return `${joined.includes('//') ? joined.replace(/\/{2,}/g, '/') : joined}${query}`;
}

/**
 * Sends admitted requests upstream with the real key, on node:http directly (a plain
 * pass-through costs less than http-proxy's per-request URL parsing and copying). Streams both
 * ways — nothing is buffered — never follows a redirect (the key would go wherever the upstream
 * points; the 3xx goes back to the container, which holds only the placeholder), and strips
 * the key from any response header that reflects it.
 */
export class UpstreamForwarder {
  private readonly http: UpstreamClient;
  /** Made on the first https upstream: loading TLS is a few ms of every start otherwise. */
  private httpsClient: UpstreamClient | null = null;
  /** Parsed once per upstream, not per request. */
  private readonly targets = new Map<string, URL>();
  /** Each key's bytes, for the body mask. */
  private readonly keys = new Map<string, Buffer>();
  /** Bodies that stop arriving and upstreams that stop answering, found by one timer. */
  private readonly stalls = new StallWatch();

  constructor(
    private readonly hooks: ForwardingHooks,
    private readonly limits: ProxyLimits,
  ) {
    // Kept-alive connections to each upstream, within the pool size.
    this.http = {
      agent: new HttpAgent({ keepAlive: true, maxSockets: limits.poolSize }),
      request: httpRequest,
    };
  }

  private https(): UpstreamClient {
    if (!this.httpsClient) {
      const https = process.getBuiltinModule('node:https');
      const agent = new https.Agent({ keepAlive: true, maxSockets: this.limits.poolSize });
      this.httpsClient = { agent, request: https.request };
    }
    return this.httpsClient;
  }

  private keyBytes(key: string): Buffer {
    let bytes = this.keys.get(key);
    if (!bytes) {
      bytes = Buffer.from(key);
      if (this.keys.size > 200) this.keys.clear();
      this.keys.set(key, bytes);
    }
    return bytes;
  }

  private target(upstreamUrl: string): URL {
    let url = this.targets.get(upstreamUrl);
    if (!url) {
      url = new URL(upstreamUrl);
      if (this.targets.size > 200) this.targets.clear();
      this.targets.set(upstreamUrl, url);
    }
    return url;
  }

  /**
   * Forwards an admitted request. When its body stalls, `refuseStalled` answers the client
   * (408) and the upstream request is ended.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    admitted: AdmittedRequest,
    refuseStalled: () => void,
  ): void {
    const { mapping, key, request } = admitted;
    const upstream = this.target(mapping.upstreamUrl);

    const timeout = this.hooks.timeoutMs();
    const started = Date.now();
    let bodyStalled = false;
    let upstreamReq: ClientRequest | null = null;
    let stopWatches: (() => void) | null = null;
    // One listener for the end of the exchange, whichever way it ends (each listener added
    // and removed per request is a measurable share of the proxy's cost).
    res.on('close', () => {
      admitted.release();
      stopWatches?.();
      // The client gone first (it hung up or timed out): the upstream request ends too.
      if (!res.writableFinished) upstreamReq?.destroy();
      else if (!bodyStalled)
        this.hooks.onResponse(mapping, res.statusCode, request.session, request.remote, {
          method: request.method,
          // The path as forwarded (confined below the mapping's base), without its query.
          path: admitted.target.split('?', 1)[0] ?? '',
          ms: Date.now() - started,
        });
    });
    const upstreamFailed = (error: NodeJS.ErrnoException) => {
      if (bodyStalled) return; // answered 408 already; the upstream request was ended on purpose
      const timedOut = Date.now() - started >= timeout - 50;
      // The error code only: a message could quote a header, and headers now hold the key.
      const reason = timedOut
        ? `no answer within ${Math.round(timeout / 1000)} s`
        : (error.code ?? (key ? error.message.split(key).join('[REDACTED]') : error.message));
      this.hooks.onUpstreamError(mapping, `${mapping.upstreamUrl}: ${reason}`, timedOut);
      sendError(
        res,
        timedOut ? 504 : 502,
        'api_error',
        `aigo credential proxy: the upstream ${mapping.upstreamUrl} (mapping "${mapping.name}") ${timedOut ? 'did not answer in time' : `failed: ${reason}`}. Verify the upstream URL is correct and reachable.`,
        { upstream: mapping.upstreamUrl },
      );
    };
    let sent: ClientRequest;
    try {
      const https = upstream.protocol === 'https:';
      const headers = upstreamHeaders(req.rawHeaders, mapping.auth, key, upstream.host);
      // A body-less DELETE or OPTIONS says so, or some upstreams wait for a body.
      if (
        (req.method === 'DELETE' || req.method === 'OPTIONS') &&
        !hasHeader(headers, 'content-length') &&
        !hasHeader(headers, 'transfer-encoding')
      )
        headers.push('content-length', '0');
      const client = https ? this.https() : this.http;
      sent = client.request({
        protocol: upstream.protocol,
        hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
        port: upstream.port || (https ? 443 : 80),
        method: req.method,
        path: upstreamPath(upstream, admitted.target),
        headers,
        agent: client.agent,
      });
    } catch (error) {
      // http.request throws synchronously on a header it refuses; never let that take the app down.
      upstreamFailed(error as NodeJS.ErrnoException);
      return;
    }
    upstreamReq = sent;
    sent.on('error', (error: NodeJS.ErrnoException) => {
      // The client went away first: nothing to answer.
      if (req.socket.destroyed && !res.headersSent) return;
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      upstreamFailed(error);
    });
    sent.on('response', (upstreamRes) => {
      if (res.headersSent || res.writableEnded) {
        upstreamRes.resume();
        return;
      }
      res.writeHead(
        upstreamRes.statusCode ?? 502,
        upstreamRes.statusMessage,
        downstreamHeaders(upstreamRes.rawHeaders, key),
      );
      // The body too may repeat the key (an upstream's error echoing it): masked on the way.
      relayBody(upstreamRes, res, key ? new KeyMask(this.keyBytes(key)) : undefined);
      upstreamRes.on('error', (error) => res.destroy(error));
    });
    relayBody(req, sent);
    // An upstream that sends and takes nothing for the timeout is given up (as a socket timeout
    // would: a streaming answer that keeps coming never times out).
    const stopUpstream = this.stalls.add({
      progress: () => (sent.socket ? sent.socket.bytesRead + sent.socket.bytesWritten : 0),
      idleMs: timeout,
      onStalled: () => sent.destroy(timeoutError()),
    });
    // A body that stops arriving would hold an upstream connection for as long as it likes;
    // one paused by the pipe is waiting for the upstream, whose own timeout covers that.
    const stopBody = req.complete
      ? null
      : this.stalls.add({
          progress: () => req.socket.bytesRead,
          finished: () => req.complete,
          excused: () => req.readableFlowing === false,
          idleMs: this.limits.bodyIdleTimeoutMs,
          onStalled: () => {
            bodyStalled = true;
            refuseStalled();
            sent.destroy();
          },
        });
    stopWatches = () => {
      stopUpstream();
      stopBody?.();
    };
  }

  /** Idle upstream connections would otherwise hold the process open. */
  close(): void {
    this.stalls.close();
    this.http.agent.destroy();
    this.httpsClient?.agent.destroy();
  }
}

function timeoutError(): NodeJS.ErrnoException {
  const error = new Error('upstream timed out') as NodeJS.ErrnoException;
  error.code = 'ETIMEDOUT';
  return error;
}
