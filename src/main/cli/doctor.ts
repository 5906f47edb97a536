import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError, errorEnvelopeSchema } from '../../shared/errors';
import type { Diagnostics } from '../../shared/schemas/diagnostics';
import { connect, type ConnectOptions } from './connect';
import type { OutputFormat } from './output';
import { printResult } from './print-result';

const MARK = { ok: '✓', info: '·', warn: '!', fail: '✗' } as const;

/** The route `aigo doctor --bundle` downloads (src/main/http/diagnostics-bundle-route.ts). */
const BUNDLE_PATH = '/api/v1/diagnostics/bundle';

export function renderDiagnostics(d: Diagnostics): string {
  const lines = d.items.map((item) => {
    const head = `${MARK[item.status]} ${item.title}${item.detail ? ` — ${item.detail}` : ''}`;
    return [head, ...item.fix.map((f) => `    → ${f}`)].join('\n');
  });
  const summary = {
    ok: 'Everything aigo can check is fine.',
    warn: 'aigo works, with the warnings above.',
    fail: 'Something above stops agents from running: follow its fix.',
  }[d.status];
  return `${lines.join('\n')}\n\n${summary}`;
}

/** `aigo doctor`: the app's own diagnosis; exit code 1 when anything fails. */
export async function doctor(
  options: ConnectOptions & { output: OutputFormat; bundle?: string },
): Promise<void> {
  if (options.bundle !== undefined) return saveBundle(options.bundle, options);
  const { call } = await connect(options);
  const diagnostics = await call('app.diagnostics');
  printResult(options.output, diagnostics, renderDiagnostics);
  if (diagnostics.status === 'fail') process.exitCode = 1;
}

export interface SavedBundle {
  file: string;
  bytes: number;
  files: { name: string; bytes: number }[];
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function renderSavedBundle(saved: SavedBundle): string {
  const width = Math.max(...saved.files.map((f) => f.name.length));
  return [
    `Saved the diagnostics bundle to ${saved.file} (${formatBytes(saved.bytes)}):`,
    ...saved.files.map((f) => `  ${f.name.padEnd(width)}  ${formatBytes(f.bytes)}`),
    '',
    'Stored secrets (API keys, bot tokens), the API token and proxy session tokens were removed.',
    'README.txt inside says what each file holds. Look it over, then attach it to your report.',
  ].join('\n');
}

/**
 * `aigo doctor --bundle <file>`: downloads the diagnostics bundle from the running app and
 * writes it to `file` (into it, under the app's name for it, when `file` is a folder).
 */
async function saveBundle(
  target: string,
  options: ConnectOptions & { output: OutputFormat },
): Promise<void> {
  const { url, token } = await connect(options);
  if (!token) {
    throw new AppError(
      'UNAUTHORIZED',
      'The diagnostics bundle needs the API token, and none was found: run this as the user who runs aigo (it reads DATA_DIR/api-token), or pass --token or AIGO_TOKEN.',
    );
  }
  let response: Response;
  try {
    response = await fetch(`${url}${BUNDLE_PATH}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/zip' },
    });
  } catch (error) {
    throw new AppError(
      'UNREACHABLE',
      `Cannot reach aigo at ${url}: ${(error as Error).message}. Is it running? Start it with \`aigo serve\` or the desktop app.`,
    );
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) {
    let envelope: unknown = null;
    try {
      envelope = JSON.parse(new TextDecoder().decode(body));
    } catch {
      // not JSON: reported below by status
    }
    const parsed = errorEnvelopeSchema.safeParse(envelope);
    if (parsed.success) throw AppError.fromEnvelope(parsed.data);
    throw new AppError(
      'INTERNAL',
      `aigo answered ${response.status} ${response.statusText} to ${BUNDLE_PATH}${response.status === 404 ? ': this aigo is older than `aigo doctor --bundle`; update it' : ''}.`,
    );
  }
  let entries: Record<string, Uint8Array>;
  // Loaded here, not with the CLI: every other command starts without the zip code.
  const { unzipSync } = await import('fflate');
  try {
    entries = unzipSync(body);
  } catch (error) {
    throw new AppError(
      'INTERNAL',
      `aigo sent a diagnostics bundle that is not a valid zip archive (${(error as Error).message}).`,
    );
  }
  const named = /filename="([^"/\\]+)"/.exec(response.headers.get('content-disposition') ?? '');
  let file = resolve(target);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory())
    file = join(file, named?.[1] ?? `aigo-diagnostics-${Date.now()}.zip`);
  await mkdir(dirname(file), { recursive: true });
  // 0600: the bundle holds the app log and settings, as private as the data folder.
  await writeFile(file, body, { mode: 0o600 });
  const saved: SavedBundle = {
    file,
    bytes: body.byteLength,
    files: Object.entries(entries).map(([name, data]) => ({ name, bytes: data.byteLength })),
  };
  printResult(options.output, saved, renderSavedBundle);
}
