import type { Logger } from 'pino';
import type { Dispatch } from '../dispatch';
import { buildDiagnosticsBundle } from '../services/app/diagnostics-bundle';
import { send, type Routes } from './exchange';
import { requireToken } from './security';

/** Binary, so a plain route beside the contract's JSON operations. */
export const DIAGNOSTICS_BUNDLE_PATH = '/api/v1/diagnostics/bundle';

export interface DiagnosticsBundleRouteOptions {
  dispatch: Dispatch;
  token: () => string;
  logger: Logger;
  scrubSecrets?: (text: string) => string;
  isProxySessionToken?: (candidate: string) => boolean;
}

/**
 * `GET /api/v1/diagnostics/bundle`: the diagnostics zip (`aigo doctor --bundle`, Save
 * diagnostics… on the Health page). It holds logs and settings, so the token is always required.
 */
export function registerDiagnosticsBundleRoute(
  routes: Routes,
  options: DiagnosticsBundleRouteOptions,
): void {
  routes.on('GET', DIAGNOSTICS_BUNDLE_PATH, async (exchange) => {
    requireToken(exchange, options.token(), 'private');
    const started = Date.now();
    const bundle = await buildDiagnosticsBundle({
      dispatch: options.dispatch,
      apiToken: options.token(),
      ...(options.scrubSecrets ? { scrubSecrets: options.scrubSecrets } : {}),
      ...(options.isProxySessionToken ? { isProxySessionToken: options.isProxySessionToken } : {}),
    });
    options.logger.info(
      { files: bundle.files.length, bytes: bundle.bytes.byteLength, ms: Date.now() - started },
      'Diagnostics bundle made',
    );
    send(exchange, 200, bundle.bytes, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${bundle.fileName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });
}
