/**
 * Secrets (API keys, bot tokens, bearer tokens) must never reach a log line, an audit entry or
 * an error message. Two nets: field names that hold secrets, and value shapes that look like one
 * wherever they appear (inside a URL, an error message, a header dump).
 */
const SECRET_KEY =
  /(api[-_]?key|token|secret|password|passwd|authorization|cookie|credential|private[-_]?key)/i;
/** Keys that merely mention a secret without holding one. */
const SAFE_KEY =
  /(count|length|present|configured|set|masked|last4|hint|type|kind|mode|url|file|path|expires)$/i;

const SECRET_VALUE_PATTERNS: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g, // Anthropic
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, // OpenAI-style
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack bot/user tokens
  /\bxapp-[A-Za-z0-9-]{8,}/g, // Slack app-level tokens
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot tokens
  /\b[MN][A-Za-z\d]{23,25}\.[\w-]{6}\.[\w-]{27,}/g, // Discord bot tokens
  /\bEAA[A-Za-z0-9]{30,}/g, // Meta (WhatsApp) access tokens
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /([?&#](?:token|key|api_key|access_token)=)[^&\s"']+/gi,
];

export const REDACTED = '[REDACTED]';

export function redactString(value: string): string {
  let out = value;
  for (const pattern of SECRET_VALUE_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** The value patterns without the global flag, for a test that keeps no state between calls. */
const SECRET_VALUE_TESTS = SECRET_VALUE_PATTERNS.map(
  (pattern) => new RegExp(pattern.source, pattern.flags.replace('g', '')),
);

/** Whether redactString would change the value: a test, cheaper than building the result. */
export function containsSecret(value: string): boolean {
  return SECRET_VALUE_TESTS.some((pattern) => pattern.test(value));
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !SAFE_KEY.test(key);
}

/** Deep copy with secrets replaced. Handles cycles, errors and depth so it is safe on anything. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    // Keep the stack and cause: an unexpected error is useless in the log without them.
    const e = value as Error & { code?: unknown; cause?: unknown };
    return {
      name: e.name,
      message: redactString(e.message),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.stack ? { stack: redactString(e.stack) } : {}),
      ...(e.cause !== undefined ? { cause: redact(e.cause, depth + 1, seen) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSecretKey(key) && item !== null && item !== undefined && item !== ''
        ? REDACTED
        : redact(item, depth + 1, seen);
  }
  return out;
}
