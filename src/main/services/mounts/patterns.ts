/**
 * Does one path component match a blocked pattern? Case-insensitive (macOS and Windows file
 * systems are), and a little wider than equality so variants of a secret's name are caught:
 * `.env` also blocks `.env.local` and `prod.env`; `id_rsa` blocks `id_rsa.pub`; `credentials`
 * blocks `credentials.json` and `aws_credentials`. Patterns with `*` or `?` are globs.
 */
export function componentMatches(component: string, pattern: string): boolean {
  const c = component.toLowerCase();
  const p = pattern.toLowerCase();
  if (/[*?]/.test(p)) return globToRegExp(p).test(c);
  if (c === p) return true;
  if (c.startsWith(p) && /[._-]/.test(c.charAt(p.length))) return true;
  if (p.startsWith('.')) return c.endsWith(p);
  return c.endsWith(`.${p}`) || c.endsWith(`-${p}`) || c.endsWith(`_${p}`);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The first blocked pattern any component of `path` matches, with that component. */
export function findBlockedComponent(
  path: string,
  patterns: readonly string[],
): { pattern: string; component: string } | null {
  for (const component of path.split(/[\\/]+/)) {
    if (!component || component === '.' || component === '..') continue;
    for (const pattern of patterns)
      if (componentMatches(component, pattern)) return { pattern, component };
  }
  return null;
}
