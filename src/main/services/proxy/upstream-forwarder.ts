import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import httpProxy from 'http-proxy';
import type { ProxyMapping } from '../../../shared/schemas/proxy';
import { injectCredential, stripHopByHop } from './forwarded-headers';
import { sendError } from './json-replies';
import { watchBodyIdle, type ProxyLimits } from './proxy-limits';
import type { AdmittedRequest } from './request-admission';
import { dropReflectedKey } from './request-guards';

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

/**
 * Sends admitted requests upstream with the real key. Streams both ways (http-proxy pipes;
 * nothing is buffered) and strips the key from any response header that reflects it.
 */
export class UpstreamForwarder {
  // Never follow a redirect: the key would go to wherever the upstream points. The 3xx goes
  // back to the container, whose follow-up carries only the placeholder.
  private readonly proxy = httpProxy.createProxyServer({
    changeOrigin: true,
    xfwd: false,
    ws: false,
    followRedirects: false,
    autoRewrite: false,
  });
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** The key injected into each request in flight, to find it if the upstream reflects it. */
  private readonly injected = new WeakMap<IncomingMessage, string>();
  /** The upstream request of each request in flight, to end it when the client stalls. */
  private readonly upstreamRequests = new WeakMap<IncomingMessage, ClientRequest>();

  constructor(
    private readonly hooks: ForwardingHooks,
    private readonly limits: ProxyLimits,
  ) {
    // http-proxy opens a new upstream connection per request unless given an agent; keep them alive.
    this.agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets: limits.poolSize }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: limits.poolSize }),
    };
    this.proxy.on('proxyReq', (proxyReq, req) => this.upstreamRequests.set(req, proxyReq));
    this.proxy.on('proxyRes', (proxyRes, req) => {
      stripHopByHop(proxyRes.headers as Record<string, unknown>);
      const key = this.injected.get(req);
      if (key) dropReflectedKey(proxyRes.headers, key);
    });
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
    req.url = admitted.target;
    injectCredential(req.headers, mapping.auth, key);
    if (key) this.injected.set(req, key);

    const timeout = this.hooks.timeoutMs();
    const started = Date.now();
    let bodyStalled = false;
    res.on('finish', () => {
      if (!bodyStalled)
        this.hooks.onResponse(mapping, res.statusCode, request.session, request.remote, {
          method: req.method ?? '',
          path: (req.url ?? '').split('?')[0] ?? '',
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
    try {
      this.proxy.web(
        req,
        res,
        {
          target: mapping.upstreamUrl,
          proxyTimeout: timeout,
          timeout,
          agent: mapping.upstreamUrl.startsWith('https:') ? this.agents.https : this.agents.http,
        },
        upstreamFailed,
      );
    } catch (error) {
      // http.request throws synchronously on a header it refuses; never let that take the app down.
      upstreamFailed(error as NodeJS.ErrnoException);
      return;
    }
    watchBodyIdle(req, res, this.limits.bodyIdleTimeoutMs, () => {
      bodyStalled = true;
      refuseStalled();
      this.upstreamRequests.get(req)?.destroy();
    });
  }

  /** Idle upstream connections would otherwise hold the process open. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
