import type { AuditInput, AuditLog } from '../audit/audit-log';

/** An audit entry about the proxy; `session` names the container session it concerns, if any. */
export type ProxyAuditEntry = Omit<AuditInput, 'category' | 'container'> & {
  session?: string | null;
};

/** Records an entry in the proxy's audit category, where Settings and the tests look for it. */
export function recordProxyEvent(audit: AuditLog, { session, ...entry }: ProxyAuditEntry): void {
  audit.record({ ...entry, category: 'proxy', ...(session ? { container: session } : {}) });
}
