import type { Logger } from 'pino';
import type { ProxyMapping } from '../../../shared/schemas/proxy';
import type { AuditLog } from '../audit/audit-log';
import type { SecretStore } from '../secrets/secret-store';
import { boundOrigin, keyBinding } from './key-binding';
import { recordProxyEvent } from './proxy-audit';

/**
 * What the proxy repairs at start after a crash or an interrupted write: temporary copies of
 * the secret file, keys from before bindings existed, and keys whose mapping is gone.
 */

/** Ids the proxy gives its mappings (randomUUID): older keys carry no binding to tell them by. */
const MAPPING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RecoveryDeps {
  secrets: SecretStore;
  audit: AuditLog;
  logger: Logger;
}

/** Loads the keys; temporary copies an interrupted write left beside them are removed, audited. */
export async function loadSecrets({ secrets, audit, logger }: RecoveryDeps): Promise<void> {
  const { removedTempFiles } = await secrets.load();
  if (removedTempFiles.length === 0) return;
  logger.info(
    { files: removedTempFiles },
    'Removed temporary copies of the secret file left by an interrupted write',
  );
  recordProxyEvent(audit, {
    severity: 'info',
    message: `Removed ${removedTempFiles.length === 1 ? 'a temporary copy' : `${removedTempFiles.length} temporary copies`} of the secret file left by an interrupted write`,
    details: { files: removedTempFiles },
  });
}

/**
 * After a crash: keys written before bindings existed are bound to their mapping's origin,
 * and keys whose mapping is gone (an interrupted create or delete) are removed, audited.
 */
export async function reconcileKeys(
  mappingList: ProxyMapping[],
  { secrets, audit, logger }: RecoveryDeps,
): Promise<void> {
  const mappings = new Map(mappingList.map((m) => [m.id, m]));
  for (const [id, mapping] of mappings)
    if (secrets.has(id) && secrets.bindingOf(id) === null)
      await secrets.bind(id, keyBinding(mapping.upstreamUrl));
  for (const id of secrets.ids()) {
    if (mappings.has(id)) continue;
    const binding = secrets.bindingOf(id);
    const upstream = boundOrigin(binding);
    // Only the proxy's own keys: bound to an upstream, or (older) named like a mapping id.
    if (!(upstream !== null || (binding === null && MAPPING_ID.test(id)))) continue;
    await secrets.delete(id);
    recordProxyEvent(audit, {
      severity: 'warning',
      message: `Removed the orphan API key of credential mapping ${id}, which no longer exists (an interrupted create or delete left the key behind)`,
      details: { id, upstream },
    });
    logger.warn({ id }, 'Removed an orphan credential mapping key');
  }
}
