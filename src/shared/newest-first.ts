/**
 * Sorts records by an ISO-8601 time field, newest first. ISO times of one format order as plain
 * strings, so this needs no locale: `localeCompare` would load ICU's collation data (about 3 MB
 * of memory) for nothing.
 */
export function newestFirst<K extends string>(key: K) {
  return (a: Record<K, string>, b: Record<K, string>): number =>
    a[key] < b[key] ? 1 : a[key] > b[key] ? -1 : 0;
}
