/** What the proxy reads from a mapping's upstream URL. */

/** The form mappings store: without trailing slashes, so request paths join onto it cleanly. */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Scheme, host and port: what a stored key is bound to, and where it may be sent. */
export function originOf(upstreamUrl: string): string {
  return new URL(upstreamUrl).origin;
}

/** The base path of a mapping's upstream URL: requests stay below it. */
export function basePath(upstreamUrl: string): string {
  return withoutTrailingSlashes(new URL(upstreamUrl).pathname) || '/';
}
