import type { MappingTestResult, ProxyMapping } from '../../../shared/schemas/proxy';
import { credentialHeader } from './forwarded-headers';
import { withoutTrailingSlashes } from './upstream-url';

/** The cheapest authenticated request each provider answers: list the models. */
export function healthRequest(
  mapping: ProxyMapping,
  key: string | null,
): { url: string; headers: Record<string, string> } {
  const base = withoutTrailingSlashes(mapping.upstreamUrl);
  const url = /\/v1$/.test(base) ? `${base}/models` : `${base}/v1/models`;
  const credential = credentialHeader(mapping.auth, key);
  const headers: Record<string, string> = credential ? { [credential[0]]: credential[1] } : {};
  if (mapping.kind === 'anthropic') headers['anthropic-version'] = '2023-06-01';
  return { url, headers };
}

const MAX_MODELS = 100;
const MAX_LIST_BYTES = 1_000_000;

/** Model names from a list reply: OpenAI/Anthropic `data[].id`, Ollama `models[].name`. */
export function modelNames(body: unknown): string[] {
  const record = (body ?? {}) as { data?: unknown; models?: unknown };
  const entries = Array.isArray(record.data)
    ? record.data
    : Array.isArray(record.models)
      ? record.models
      : [];
  const names: string[] = [];
  for (const entry of entries as { id?: unknown; name?: unknown }[]) {
    const name = typeof entry?.id === 'string' ? entry.id : entry?.name;
    if (typeof name === 'string' && name.length > 0) names.push(name.slice(0, 200));
    if (names.length === MAX_MODELS) break;
  }
  return names;
}

/** The list from a successful reply, or none when it is not one (or too big to be one). */
async function readModels(response: Response): Promise<string[]> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_LIST_BYTES) {
    await response.body?.cancel();
    return [];
  }
  try {
    const text = await response.text();
    return text.length > MAX_LIST_BYTES ? [] : modelNames(JSON.parse(text));
  } catch {
    return [];
  }
}

function describeModels(models: string[]): string {
  if (models.length === 0) return '';
  const shown = models.slice(0, 5).join(', ');
  const more = models.length > 5 ? `, and ${models.length - 5} more` : '';
  return ` ${models.length} model${models.length === 1 ? '' : 's'}: ${shown}${more}.`;
}

/** Where a redirect points, without its query (it could carry anything), kept short. */
function redirectTarget(from: string, location: string | null): string {
  if (!location) return 'an address it does not name';
  try {
    const to = new URL(location, from);
    const shown = `${to.origin}${to.pathname}`;
    return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
  } catch {
    return 'an address that is not a valid URL';
  }
}

/** "Test" on a mapping: reachable, key rejected, or unreachable with the network error. */
export async function testMapping(
  mapping: ProxyMapping,
  key: string | null,
  timeoutMs = 10_000,
): Promise<MappingTestResult> {
  const { url, headers } = healthRequest(mapping, key);
  const started = Date.now();
  try {
    // Never follow a redirect: the key would go wherever the upstream points.
    const response = await fetch(url, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Date.now() - started;
    const models = response.ok ? await readModels(response) : [];
    if (!response.ok) await response.body?.cancel();
    if (response.status >= 300 && response.status < 400) {
      const where = redirectTarget(url, response.headers.get('location'));
      return {
        result: 'error',
        status: response.status,
        latencyMs,
        message: `${mapping.upstreamUrl} answered HTTP ${response.status} to GET ${new URL(url).pathname}: the upstream redirects to ${where}. aigo never follows a redirect with a key, so the key was not sent there. Set the upstream URL to the address the API answers on (if you trust it), then enter the key again.`,
      };
    }
    const keyless = mapping.auth.type === 'none';
    if ((response.status === 401 || response.status === 403) && keyless)
      return {
        result: 'key_rejected',
        status: response.status,
        latencyMs,
        message: `${mapping.upstreamUrl} asks for a key (HTTP ${response.status}), and this mapping sends none. Edit the mapping: choose how the key is sent (a server started with --api-key takes "Authorization: Bearer") and enter it.`,
      };
    if (response.status === 401 || response.status === 403) {
      return {
        result: 'key_rejected',
        status: response.status,
        latencyMs,
        message: `${mapping.upstreamUrl} rejected the key (HTTP ${response.status}). Check that the real API key is valid.`,
      };
    }
    if (response.ok)
      return {
        result: 'reachable',
        status: response.status,
        latencyMs,
        message: `${mapping.upstreamUrl} ${keyless ? 'answered without a key' : 'accepted the key'} (HTTP ${response.status}, ${latencyMs} ms).${describeModels(models)}`,
        ...(models.length > 0 ? { models } : {}),
      };
    return {
      result: 'reachable',
      status: response.status,
      latencyMs,
      message: `${mapping.upstreamUrl} answered HTTP ${response.status} to GET ${new URL(url).pathname}, so it is reachable, but ${keyless ? 'whether it needs a key' : 'the key'} could not be checked there.`,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const timedOut = (error as Error).name === 'TimeoutError';
    const detail = timedOut
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    return {
      result: 'unreachable',
      status: null,
      latencyMs: Date.now() - started,
      message: `Cannot reach ${mapping.upstreamUrl}: ${detail}. Verify the upstream URL in the credential mapping is correct and reachable.`,
    };
  }
}
