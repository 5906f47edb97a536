/** What the proxy reads from a mapping's upstream URL. */

/** The form mappings store: without trailing slashes, so request paths join onto it cleanly. */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** What the proxy reads per request, by URL: parsing a URL for each one is not free. */
const parts = new Map<string, { origin: string; basePath: string }>();

function partsOf(upstreamUrl: string): { origin: string; basePath: string } {
  let known = parts.get(upstreamUrl);
  if (!known) {
    const url = new URL(upstreamUrl); // throws for a URL that is none, every time
    known = { origin: url.origin, basePath: withoutTrailingSlashes(url.pathname) || '/' };
    if (parts.size >= 256) parts.clear();
    parts.set(upstreamUrl, known);
  }
  return known;
}

/** Scheme, host and port: what a stored key is bound to, and where it may be sent. */
export function originOf(upstreamUrl: string): string {
  return partsOf(upstreamUrl).origin;
}

/** The base path of a mapping's upstream URL: requests stay below it. */
export function basePath(upstreamUrl: string): string {
  return partsOf(upstreamUrl).basePath;
}
