import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { AppError } from '../../shared/errors';
import { noRoute, send, sendHtml, type Routes } from './exchange';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>aigo</title><p>The aigo web UI is not built yet. Run <code>npm run build</code>, then restart <code>aigo serve</code>. The API works at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>';

/**
 * The files the build put in `assets/`, by URL path. A request is answered only with one of
 * them: no part of a URL ever becomes a file path, so no spelling of `..` can reach another file.
 * Listed again (at most once a second) when a name is missing, as a rebuild makes new names.
 */
class AssetList {
  private files = new Map<string, string>();
  private listedAt = -Infinity;

  constructor(private readonly rendererDir: string) {}

  find(urlPath: string): string | undefined {
    const found = this.files.get(urlPath);
    if (found || Date.now() - this.listedAt < 1000) return found;
    this.list();
    return this.files.get(urlPath);
  }

  private list(): void {
    this.listedAt = Date.now();
    const dir = join(this.rendererDir, 'assets');
    const files = new Map<string, string>();
    try {
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const file = join(entry.parentPath, entry.name);
        files.set(`/assets/${relative(dir, file).split(sep).join('/')}`, file);
      }
    } catch {
      // No assets folder (the UI is not built): every asset is missing.
    }
    this.files = files;
  }
}

/** Serves the built renderer (the same UI as the desktop window) at `/`, SPA-style. */
export function registerStaticUi(routes: Routes, rendererDir: string | null): void {
  const indexPath = rendererDir ? join(rendererDir, 'index.html') : null;
  const built = indexPath !== null && existsSync(indexPath);
  const assets = rendererDir ? new AssetList(rendererDir) : null;
  routes.on('GET', '/assets/**', async (exchange) => {
    const file = assets?.find(exchange.path);
    if (!file) throw new AppError('NOT_FOUND', `No file ${exchange.path} in the web UI.`);
    send(exchange, 200, await readFile(file), {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      // The build names each asset by a hash of its content.
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  routes.on('GET', '/**', async (exchange) => {
    if (exchange.path.startsWith('/api/')) throw noRoute(exchange);
    if (!built || !indexPath) return sendHtml(exchange, NOT_BUILT, 503);
    // Asked again each time: it names the hashed assets of the current build.
    sendHtml(exchange, await readFile(indexPath, 'utf8'), 200, { 'cache-control': 'no-cache' });
  });
}
