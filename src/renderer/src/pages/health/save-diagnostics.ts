import { AppError, errorEnvelopeSchema } from '../../../../shared/errors';
import { TOKEN_STORAGE_KEY } from '../../bridge/web-transport';

/** The diagnostics bundle's route (src/main/http/diagnostics-bundle-route.ts). */
export const DIAGNOSTICS_BUNDLE_PATH = '/api/v1/diagnostics/bundle';

/**
 * Downloads the diagnostics bundle with the token the web transport keeps, then hands it to
 * the browser as a file download. Returns the file name.
 */
export async function saveDiagnostics(
  storage: Storage = window.sessionStorage,
  doFetch: typeof fetch = fetch,
): Promise<string> {
  const token = storage.getItem(TOKEN_STORAGE_KEY);
  if (!token)
    throw new AppError(
      'UNAUTHORIZED',
      'Saving diagnostics needs the API token: open the link `aigo serve` printed, or run `aigo doctor --bundle aigo-diagnostics.zip`.',
    );
  let response: Response;
  try {
    response = await doFetch(DIAGNOSTICS_BUNDLE_PATH, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/zip' },
    });
  } catch (error) {
    throw new AppError(
      'UNREACHABLE',
      `Cannot reach aigo: ${(error as Error).message}. Is it running?`,
    );
  }
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(await response.json().catch(() => null));
    if (envelope.success) throw AppError.fromEnvelope(envelope.data);
    throw new AppError('INTERNAL', `aigo answered ${response.status} ${response.statusText}.`);
  }
  const blob = await response.blob();
  const name =
    /filename="([^"/\\]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
    'aigo-diagnostics.zip';
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; free the blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
