import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from '../../../shared/errors';
import {
  PROXY_PLACEHOLDER,
  type createMappingSchema,
  type MappingTestResult,
  type ProxyMapping,
  type ProxyMappingView,
  type updateMappingSchema,
} from '../../../shared/schemas/proxy';
import type { AuditLog } from '../audit/audit-log';
import { containsSecret } from '../logging/redact';
import { maskKey, type SecretStore } from '../secrets/secret-store';
import { boundKey, keyBinding } from './key-binding';
import { testMapping } from './mapping-test';
import type { ProxyActivity } from './proxy-activity';
import { recordProxyEvent } from './proxy-audit';
import { replaceMappings, type ProxyConfigStore } from './proxy-config-store';
import type { Refusal } from './refusals';
import { originOf, withoutTrailingSlashes } from './upstream-url';

export interface MappingRegistryDeps {
  store: ProxyConfigStore;
  secrets: SecretStore;
  audit: AuditLog;
  activity: ProxyActivity;
}

/**
 * The credential mappings and their keys: a mapping lives in the settings file, its key in
 * the secret store, bound to the upstream origin it was entered for. The two are written so
 * that a crash between the writes never sends a key anywhere it was not entered for.
 */
export class MappingRegistry {
  constructor(private readonly deps: MappingRegistryDeps) {}

  /** The mappings as they are now (read-only: the proxy resolves every request through it). */
  all(): readonly ProxyMapping[] {
    return this.deps.store.snapshot().mappings;
  }

  async create(input: z.infer<typeof createMappingSchema>): Promise<ProxyMappingView> {
    const now = new Date().toISOString();
    const mapping: ProxyMapping = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      upstreamUrl: withoutTrailingSlashes(input.upstreamUrl),
      placeholder: input.placeholder ?? this.freePlaceholder(),
      auth: input.auth,
      createdAt: now,
      updatedAt: now,
    };
    this.assertPlaceholderFree(mapping.placeholder, null);
    const apiKey = keyFor(mapping.auth, input.apiKey, mapping.name);
    // The key first: a crash before the mapping is written leaves an orphan key, which the next
    // start removes (audited); a failed write here takes the key back at once.
    if (apiKey) await this.deps.secrets.set(mapping.id, apiKey, keyBinding(mapping.upstreamUrl));
    try {
      await replaceMappings(this.deps.store, (mappings) => [...mappings, mapping]);
    } catch (error) {
      if (apiKey) await this.deps.secrets.delete(mapping.id).catch(() => undefined);
      throw error;
    }
    recordProxyEvent(this.deps.audit, {
      severity: 'info',
      message: `Credential mapping "${mapping.name}" added`,
      details: { id: mapping.id, upstreamUrl: mapping.upstreamUrl },
    });
    this.deps.activity.changed();
    return this.view(mapping);
  }

  async update(input: z.infer<typeof updateMappingSchema>): Promise<ProxyMappingView> {
    const current = this.find(input.id);
    const { apiKey, id, ...fields } = input;
    const changed = definedOnly(fields);
    const next: ProxyMapping = { ...current, ...changed, updatedAt: new Date().toISOString() };
    next.upstreamUrl = withoutTrailingSlashes(next.upstreamUrl);
    this.assertPlaceholderFree(next.placeholder, id);
    const from = originOf(current.upstreamUrl);
    const to = originOf(next.upstreamUrl);
    const keyless = next.auth.type === 'none';
    if (keyless) keyFor(next.auth, apiKey, next.name);
    // Going from no key to one: there is no stored key to keep.
    else if (current.auth.type === 'none' && !apiKey) keyFor(next.auth, undefined, next.name);
    // A key is bound to the origin it was entered for: whoever may edit mappings must not be
    // able to point one elsewhere and press Test to have the key sent there.
    else if (from !== to && !apiKey)
      throw new AppError(
        'INVALID_INPUT',
        `Mapping "${current.name}" would send its API key to ${to} instead of ${from}, where it was entered. A key only goes to the upstream (scheme, host and port) it was entered for: enter the API key again in the same change, or keep the upstream's origin (changing only the path keeps the key).`,
        { issues: [{ path: 'apiKey', message: 'required when the upstream origin changes' }] },
      );
    const { secrets } = this.deps;
    const previous = { value: secrets.get(id), binding: secrets.bindingOf(id) };
    if (apiKey) await secrets.set(id, apiKey, keyBinding(next.upstreamUrl));
    // A mapping that sends no key keeps none: the old one is deleted, not left lying around.
    if (keyless && previous.value !== null) await secrets.delete(id);
    try {
      await replaceMappings(this.deps.store, (mappings) =>
        mappings.map((m) => (m.id === id ? next : m)),
      );
    } catch (error) {
      // Put the old key back; after a crash instead, the new key is bound to the new origin and
      // so is never sent to the old one.
      if ((apiKey || keyless) && previous.value !== null)
        await secrets.set(id, previous.value, previous.binding).catch(() => undefined);
      throw error;
    }
    recordProxyEvent(this.deps.audit, {
      severity: 'info',
      message: `Credential mapping "${next.name}" changed${apiKey ? ' (key replaced)' : keyless && previous.value !== null ? ' (sends no key now; its key was deleted)' : ''}`,
      details: {
        id,
        fields: Object.keys(changed),
        keyReplaced: Boolean(apiKey),
        keyDeleted: keyless && previous.value !== null,
      },
    });
    this.deps.activity.changed();
    return this.view(next);
  }

  async delete(id: string): Promise<void> {
    const mapping = this.find(id);
    // The key first: a crash between the two writes leaves a mapping without a key (shown as
    // such, refused by the proxy, deletable again), never a key without a mapping.
    await this.deps.secrets.delete(id);
    await replaceMappings(this.deps.store, (mappings) => mappings.filter((m) => m.id !== id));
    this.deps.activity.forget(id);
    recordProxyEvent(this.deps.audit, {
      severity: 'info',
      message: `Credential mapping "${mapping.name}" removed`,
      details: { id },
    });
    this.deps.activity.changed();
  }

  /** "Test" on a mapping: sends its key to its upstream, if the key was entered for it. */
  async test(id: string): Promise<MappingTestResult> {
    const mapping = this.find(id);
    if (mapping.auth.type === 'none') return testMapping(mapping, null);
    const key = boundKey(this.deps.secrets, mapping);
    const notSent = (message: string): MappingTestResult => ({
      result: 'error',
      status: null,
      latencyMs: 0,
      message,
    });
    if (!key && this.deps.secrets.has(id))
      return notSent(
        `The API key of mapping "${mapping.name}" was entered for another upstream than ${originOf(mapping.upstreamUrl)}, so it is not sent there. Edit the mapping and enter the API key again.`,
      );
    if (!key) return notSent(`Mapping "${mapping.name}" has no API key. Enter one and save.`);
    const result = await testMapping(mapping, key);
    if (result.result === 'key_rejected') {
      recordProxyEvent(this.deps.audit, {
        severity: 'warning',
        message: `Upstream rejected the key of mapping "${mapping.name}" during a test (HTTP ${result.status})`,
        details: { id },
      });
    }
    return result;
  }

  /** The mapping a placeholder selects, with its key; or why the request is refused. */
  resolve(presented: string): { mapping: ProxyMapping; key: string | null } | { refusal: Refusal } {
    const mapping = this.all().find((m) => m.placeholder === presented);
    if (!mapping)
      return {
        refusal:
          containsSecret(presented) || presented.length >= 40 ? 'real_key' : 'unknown_placeholder',
      };
    if (mapping.auth.type === 'none') return { mapping, key: null };
    const key = boundKey(this.deps.secrets, mapping);
    if (key) return { mapping, key };
    return { refusal: this.deps.secrets.has(mapping.id) ? 'key_not_bound' : 'no_real_key' };
  }

  views(): ProxyMappingView[] {
    return this.all().map((m) => this.view(m));
  }

  private view(mapping: ProxyMapping): ProxyMappingView {
    // A key bound to another origin is as good as none: it is never sent to this one.
    const key = boundKey(this.deps.secrets, mapping);
    const usage = this.deps.activity.usageOf(mapping.id);
    return {
      ...mapping,
      hasKey: key !== null,
      keyLast4: maskKey(key),
      lastStatus: usage?.lastStatus ?? null,
      lastUsedAt: usage?.lastUsedAt ?? null,
    };
  }

  private find(id: string): ProxyMapping {
    const mapping = this.all().find((m) => m.id === id);
    if (!mapping) throw new AppError('NOT_FOUND', `No credential mapping with id "${id}".`);
    return mapping;
  }

  /**
   * The guide's `CREDENTIAL_PROXY_PLACEHOLDER` for the first mapping (what agents send by
   * default), a placeholder of its own for every later one.
   */
  private freePlaceholder(): string {
    const taken = new Set(this.all().map((m) => m.placeholder));
    if (!taken.has(PROXY_PLACEHOLDER)) return PROXY_PLACEHOLDER;
    for (let n = 2; ; n++)
      if (!taken.has(`${PROXY_PLACEHOLDER}_${n}`)) return `${PROXY_PLACEHOLDER}_${n}`;
  }

  private assertPlaceholderFree(placeholder: string, except: string | null): void {
    const other = this.all().find((m) => m.placeholder === placeholder && m.id !== except);
    if (other)
      throw new AppError(
        'CONFLICT',
        `The placeholder "${placeholder}" is already used by mapping "${other.name}"; each mapping needs its own.`,
        { mapping: other.id },
      );
  }
}

/**
 * The key a mapping is saved with: required for every way of sending one, refused for a
 * mapping that sends none (it would be stored and never used).
 */
function keyFor(auth: ProxyMapping['auth'], apiKey: string | undefined, name: string) {
  if (auth.type === 'none' && apiKey)
    throw new AppError(
      'INVALID_INPUT',
      `Mapping "${name}" sends no key ("No key"), so it takes none: clear the API key field, or choose how the key is sent.`,
      { issues: [{ path: 'apiKey', message: 'leave empty for a mapping with no key' }] },
    );
  if (auth.type !== 'none' && !apiKey)
    throw new AppError(
      'INVALID_INPUT',
      `Mapping "${name}" needs its real API key: enter it. A local model server that takes no key (Ollama, LM Studio): choose "No key" as how the key is sent.`,
      { issues: [{ path: 'apiKey', message: 'enter the API key, or choose "No key"' }] },
    );
  return apiKey ?? null;
}

/** The fields a patch sets: undefined means "leave as it is", not "clear". */
function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
