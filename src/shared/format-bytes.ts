/**
 * A size in decimal units (1 MB = 10^6 bytes), as Docker prints image sizes and disk space,
 * so the numbers shown here match `docker images` and `docker system df`. Sizes the user sets
 * in binary units (memory limits, audit retention) are labelled MiB where they are asked for.
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}
