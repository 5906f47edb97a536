import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Serves the built renderer (the same UI as the desktop window) at `/`, SPA-style. */
export function registerStaticUi(app: Hono, rendererDir: string | null): void {
  const indexPath = rendererDir ? join(rendererDir, 'index.html') : null;
  const built = indexPath !== null && existsSync(indexPath);
  app.use('*', async (c, next) => {
    await next();
    if (!c.req.path.startsWith('/api/'))
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
  });
  if (built && rendererDir) {
    app.use('/assets/*', serveStatic({ root: rendererDir }));
  }
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    if (!built || !indexPath) {
      return c.html(
        '<!doctype html><meta charset="utf-8"><title>aigo</title><p>The aigo web UI is not built yet. Run <code>npm run build</code>, then restart <code>aigo serve</code>. The API works at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>',
        503,
      );
    }
    return c.html(readFileSync(indexPath, 'utf8'));
  });
}
