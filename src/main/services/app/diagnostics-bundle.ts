import { release, type as osType } from 'node:os';
import type { Zippable } from 'fflate';
import { AppError } from '../../../shared/errors';
import type { AppInfo } from '../../../shared/schemas/app';
import type { LogEntry } from '../../../shared/schemas/logs';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { Dispatch } from '../../dispatch';
import { isSecretKey, REDACTED, redactString } from '../logging/redact';

/** How many app log lines and audit entries the bundle carries. */
export const BUNDLE_LOG_LINES = 2000;
export const BUNDLE_AUDIT_ENTRIES = 500;
export const BUNDLE_LOG_FILE = `logs/aigo-last-${BUNDLE_LOG_LINES}.jsonl`;
/** A part that takes longer than this is left out (with its reason) so the bundle still comes. */
const PART_TIMEOUT_MS = 15_000;

export interface BundleScrubOptions {
  /** The API token: never in the bundle. */
  apiToken: string;
  /** Removes every stored secret (the secret store's `scrub()`). */
  scrubSecrets?: (text: string) => string;
  /** Whether a string is a live credential-proxy session token. */
  isProxySessionToken?: (candidate: string) => boolean;
}

export interface BundleSources extends BundleScrubOptions {
  dispatch: Dispatch;
  now?: () => Date;
}

export interface DiagnosticsBundle {
  /** `aigo-diagnostics-2026-01-31T12-00-00Z.zip` */
  fileName: string;
  bytes: Uint8Array;
  /** The archive's files, in order. */
  files: string[];
}

const API_TOKEN_MARK = '[REDACTED api token]';
const SESSION_TOKEN_MARK = '[REDACTED session token]';
/** A session token is 24 random bytes in base64url: 32 characters, standing alone. */
const SESSION_TOKEN_CANDIDATE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/g;
/** Where session tokens travel: the container's env and the proxy's session header. */
const SESSION_TOKEN_CONTEXT =
  /((?:AIGO_PROXY_TOKEN|x-aigo-session)["']?\s*[:=]\s*["']?)[^\s"'&,;}\]]+/gi;
/** `scheme://user:password@host`: credentials in a URL (a Docker endpoint, an upstream). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:"'<>]+:[^\s/@"'<>]+@/gi;

export interface Scrubber {
  text(value: string): string;
  /** Deep copy with every string scrubbed and every secret-named string field replaced. */
  value(value: unknown): unknown;
}

/**
 * Removes every secret aigo knows of from what goes into the bundle: the stored secrets (API
 * keys, bot tokens), the API token, live proxy session tokens, credentials in URLs, and every
 * value shape the log redactor recognises.
 */
export function createBundleScrubber(options: BundleScrubOptions): Scrubber {
  const tokenForms = [
    ...new Set([options.apiToken, encodeURIComponent(options.apiToken)].filter(Boolean)),
  ];
  const text = (input: string): string => {
    let out = options.scrubSecrets ? options.scrubSecrets(input) : input;
    for (const form of tokenForms)
      if (out.includes(form)) out = out.split(form).join(API_TOKEN_MARK);
    const isLive = options.isProxySessionToken;
    if (isLive)
      out = out.replace(SESSION_TOKEN_CANDIDATE, (candidate) =>
        isLive(candidate) ? SESSION_TOKEN_MARK : candidate,
      );
    out = out.replace(SESSION_TOKEN_CONTEXT, (_match, prefix: string) => `${prefix}${REDACTED}`);
    out = out.replace(URL_CREDENTIALS, (_match, scheme: string) => `${scheme}${REDACTED}@`);
    return redactString(out);
  };
  const value = (input: unknown, depth = 0): unknown => {
    if (typeof input === 'string') return text(input);
    if (input === null || typeof input !== 'object') return input;
    if (depth > 32) return '[Truncated]';
    if (Array.isArray(input)) return input.map((item) => value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) {
      out[text(key)] =
        isSecretKey(key) && typeof item === 'string' && item !== ''
          ? REDACTED
          : value(item, depth + 1);
    }
    return out;
  };
  return { text, value };
}

/** `2026-01-31T12:00:00.123Z` -> `2026-01-31T12-00-00Z`: safe in every file system. */
export function bundleTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

type Part = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

async function part(work: () => Promise<unknown>): Promise<Part> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new AppError('UNREACHABLE', `No answer within ${PART_TIMEOUT_MS / 1000} s.`)),
        PART_TIMEOUT_MS,
      );
    });
    return { ok: true, value: await Promise.race([work(), timeout]) };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: error instanceof AppError ? error.code : 'INTERNAL',
        message: error instanceof Error ? error.message : String(error),
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A log entry as the line it was in the log file (what `aigo logs --json` prints). */
function logLine(entry: LogEntry): Record<string, unknown> {
  return {
    time: entry.time,
    level: entry.level,
    ...(entry.scope ? { scope: entry.scope } : {}),
    msg: entry.msg,
    ...entry.data,
  };
}

const FILE_NOTES: [string, string][] = [
  ['README.txt', 'this file'],
  ['versions.json', 'aigo, Node, Electron (desktop app only), OS and container engine versions'],
  [
    'doctor.json',
    'what `aigo doctor -o json` prints and Settings > Health shows (GET /api/v1/diagnostics)',
  ],
  [
    'status.json',
    'what `aigo status -o json` prints: services, warnings, log level (GET /api/v1/status)',
  ],
  [
    'runtime.json',
    'the container runtime, its networking and every check made (GET /api/v1/container/runtime)',
  ],
  [
    'audit.json',
    `the last ${BUNDLE_AUDIT_ENTRIES} audit-log entries, newest first (GET /api/v1/container/audit-log?limit=${BUNDLE_AUDIT_ENTRIES})`,
  ],
  [
    BUNDLE_LOG_FILE,
    `the last ${BUNDLE_LOG_LINES} lines of the application log, oldest first (what \`aigo logs --last ${BUNDLE_LOG_LINES} --json\` prints)`,
  ],
  ['settings.json', 'the settings (GET /api/v1/settings)'],
  [
    'mount-security.json',
    'the mount allowlist: allowed roots, blocked patterns (GET /api/v1/container/mount-security)',
  ],
  [
    'credential-proxy.json',
    'credential proxy status, settings and mappings; keys are never included, only their last 4 characters',
  ],
  ['groups.json', 'the groups (namespaces) and their container settings'],
  ['schedules.json', 'the scheduled tasks and their last runs'],
];

function readme(
  generatedAt: string,
  debugLogging: boolean | null,
  failed: [string, Part & { ok: false }][],
): string {
  const width = Math.max(...FILE_NOTES.map(([name]) => name.length));
  const lines = [
    'aigo diagnostics bundle',
    '=======================',
    '',
    `Made ${generatedAt} by the running aigo (\`aigo doctor --bundle <file>\`, or Save diagnostics… on the Health page).`,
    '',
    'Every stored secret (API keys, bot tokens), the API token, credential-proxy session tokens,',
    'credentials in URLs and anything shaped like a key were removed from every file before it',
    'was written here. Look it over before you share it: it names folders and group names.',
    '',
    'Files',
    '-----',
    ...FILE_NOTES.map(([name, note]) => `${name.padEnd(width)}  ${note}`),
    '',
  ];
  if (failed.length) {
    lines.push(
      'Parts that could not be collected (their file holds the error instead):',
      ...failed.map(([name, p]) => `  ${name}: ${p.error.code} ${p.error.message}`),
      '',
    );
  }
  lines.push(
    'Getting help',
    '------------',
    'This bundle is the one-step version of the troubleshooting guide\'s "Getting Help" steps:',
    '',
    `  1. Enable Debug Logging in Settings > Advanced (it was ${debugLogging === null ? 'in an unknown state' : debugLogging ? 'on' : 'off'} when this`,
    '     bundle was made), reproduce the problem, and make the bundle again: its log then',
    '     holds the debug detail.',
    '  2. Collect the application logs:',
    '       aigo logs --last 500',
    '  3. Export the container audit log:',
    '       curl "http://localhost:55765/api/v1/container/audit-log?limit=500" > audit.json',
    '     (add -H "Authorization: Bearer $(cat DATA_DIR/api-token)" where reads need the token)',
    '',
    'Attach this archive to your report instead of the output of steps 2 and 3.',
    '',
  );
  return lines.join('\n');
}

/**
 * The diagnostics bundle: one zip with the last log lines, the audit-log export, the doctor's
 * report, the runtime report, versions, and the settings, mount policy, proxy configuration,
 * groups and schedules, each collected through the same operations the API serves, and every
 * file passed through the scrubber. A part that fails is replaced by its error; the rest still
 * comes.
 */
export async function buildDiagnosticsBundle(sources: BundleSources): Promise<DiagnosticsBundle> {
  // Loaded when a bundle is asked for: nobody else needs the zip code, and its tables cost
  // start-up time (issue 17).
  const { strToU8, zipSync } = await import('fflate');
  const now = (sources.now ?? (() => new Date()))();
  const generatedAt = now.toISOString();
  const scrub = createBundleScrubber(sources);
  const call = (name: string, input: unknown = {}) => part(() => sources.dispatch(name, input));

  const [
    info,
    diagnostics,
    status,
    runtime,
    audit,
    logs,
    settings,
    mounts,
    proxy,
    groups,
    schedules,
    image,
  ] = await Promise.all([
    call('app.info'),
    call('app.diagnostics'),
    call('app.status'),
    call('runtime.get'),
    call('audit.query', { limit: BUNDLE_AUDIT_ENTRIES }),
    call('logs.tail', { last: BUNDLE_LOG_LINES }),
    call('settings.get'),
    call('mounts.getPolicy'),
    call('proxy.get'),
    call('groups.list'),
    call('schedules.list'),
    call('image.status'),
  ]);

  const appInfo = info.ok ? (info.value as AppInfo) : null;
  const engine = runtime.ok ? (runtime.value as RuntimeStatus) : null;
  const agentImage = image.ok ? (image.value as { image?: string; state?: string }) : null;
  const versions: Part = {
    ok: true,
    value: {
      generatedAt,
      aigo: appInfo?.version ?? null,
      mode: appInfo?.mode ?? null,
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      os: { platform: process.platform, type: osType(), release: release(), arch: process.arch },
      engine: engine
        ? {
            available: engine.available,
            backend: engine.backend,
            product: engine.product,
            version: engine.version,
            apiVersion: engine.apiVersion,
            endpoint: engine.endpoint,
          }
        : runtime,
      agentImage: agentImage
        ? { image: agentImage.image ?? null, state: agentImage.state ?? null }
        : image,
    },
  };
  // The proxy's presets are the same in every install; the rest is this one's configuration.
  const proxyPart: Part = proxy.ok
    ? {
        ok: true,
        value: (({ presets: _presets, ...rest }) => rest)(
          proxy.value as Record<string, unknown> & { presets?: unknown },
        ),
      }
    : proxy;

  const jsonParts: [string, Part][] = [
    ['versions.json', versions],
    ['doctor.json', diagnostics],
    ['status.json', status],
    ['runtime.json', runtime],
    ['audit.json', audit],
    ['settings.json', settings],
    ['mount-security.json', mounts],
    ['credential-proxy.json', proxyPart],
    ['groups.json', groups],
    ['schedules.json', schedules],
  ];
  const failed = [...jsonParts, [BUNDLE_LOG_FILE, logs] as [string, Part]].filter(
    (entry): entry is [string, Part & { ok: false }] => !entry[1].ok,
  );

  const debugLogging = settings.ok
    ? ((settings.value as { advanced?: { debugLogging?: boolean } }).advanced?.debugLogging ?? null)
    : null;
  const texts: [string, string][] = [['README.txt', readme(generatedAt, debugLogging, failed)]];
  for (const [name, p] of jsonParts) {
    const body = p.ok ? p.value : { bundleError: p.error };
    texts.push([name, `${JSON.stringify(scrub.value(body), null, 2)}\n`]);
  }
  const logText = logs.ok
    ? (logs.value as { entries: LogEntry[] }).entries
        .map((entry) => JSON.stringify(scrub.value(logLine(entry))))
        .join('\n')
    : JSON.stringify(scrub.value({ bundleError: logs.error }));
  texts.push([BUNDLE_LOG_FILE, logText ? `${logText}\n` : '']);

  const mtime = now;
  // Unix mode 0600 when unpacked: the files are as private as the data folder they describe.
  const zippable: Zippable = {};
  // Scrubbed twice: each value before it was written out, then the file as a whole.
  for (const [name, text] of texts)
    zippable[name] = [strToU8(scrub.text(text)), { mtime, os: 3, attrs: 0o600 << 16 }];
  return {
    fileName: `aigo-diagnostics-${bundleTimestamp(now)}.zip`,
    bytes: zipSync(zippable, { level: 6 }),
    files: texts.map(([name]) => name),
  };
}
