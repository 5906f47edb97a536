import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log';
import type { ProxyActivity } from './proxy-activity';
import { recordProxyEvent } from './proxy-audit';
import type { ProxyHandlers } from './proxy-server';
import type { Refusal } from './refusals';
import { bounded } from './request-guards';

/** Refusals that are about load rather than trust: a warning, not a violation. */
const LOAD_REFUSALS = new Set<Refusal>(['session_limit', 'address_limit', 'body_timeout']);

/**
 * What the proxy records about the requests it serves: counts them (ProxyActivity), and
 * audits refusals and keys an upstream rejects. Anyone who reaches the port can cause these
 * entries, so each is bounded and coalesced per cause and source: a flood adds a count, not
 * entries.
 */
export class TrafficAudit {
  constructor(
    private readonly deps: { audit: AuditLog; logger: Logger },
    private readonly activity: ProxyActivity,
  ) {}

  readonly onRefused: ProxyHandlers['onRefused'] = (refusal, req) => {
    const method = bounded(req.method, 20);
    const path = bounded(req.path);
    const remote = req.remote ?? 'unknown';
    const cause = refusal.replace(/_/g, ' ');
    this.activity.refused(`Refused ${method} ${path}: ${cause}`);
    recordProxyEvent(this.deps.audit, {
      severity: LOAD_REFUSALS.has(refusal) ? 'warning' : 'violation',
      session: req.session,
      message: `Credential proxy refused ${method} ${path}: ${cause}`,
      details: { refusal, method, path, remote: req.remote ?? null },
      coalesceKey: `proxy-refusal:${refusal}:${remote}`,
    });
    this.activity.changed();
  };

  readonly onResponse: ProxyHandlers['onResponse'] = (
    mapping,
    status,
    session,
    remote,
    request,
  ) => {
    this.activity.answered(mapping.id, status);
    // Debug Logging: each proxied request, its mapping, status and time — no headers, no keys.
    if (this.deps.logger.isLevelEnabled('debug'))
      this.deps.logger.debug(
        {
          method: request?.method,
          path: request ? bounded(request.path) : undefined,
          mapping: mapping.name,
          status,
          ms: request?.ms,
        },
        'Proxied a request',
      );
    if (status === 401 || status === 403) {
      // A container can provoke these as often as it likes: coalesced per cause and source.
      recordProxyEvent(this.deps.audit, {
        severity: 'warning',
        session,
        message: `Upstream ${mapping.upstreamUrl} rejected the key of mapping "${mapping.name}" (HTTP ${status}). Check that the real API key is valid.`,
        details: { id: mapping.id, status },
        coalesceKey: `proxy-refusal:upstream_${status}:${remote ?? 'unknown'}`,
      });
    }
    this.activity.changed();
  };

  readonly onUpstreamError: ProxyHandlers['onUpstreamError'] = (mapping, message) => {
    this.activity.lastError = message;
    this.deps.logger.warn(
      { mapping: mapping.name, upstream: mapping.upstreamUrl },
      `Upstream failed: ${message}`,
    );
  };
}
