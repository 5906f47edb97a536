/** Longest name a pattern is compared with; longer ones are cut (no file system allows them). */
const MAX_NAME = 1024;

/** Case-folded, NFC-normalised, so `café` typed one way matches `café` stored the other way. */
export function normaliseName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * Does one path component match a blocked pattern? Case-insensitive (macOS and Windows file
 * systems are), NFC-normalised on both sides, and a little wider than equality so variants of a
 * secret's name are caught: `.env` also blocks `.env.local` and `prod.env`; `id_rsa` blocks
 * `id_rsa.pub`; `credentials` blocks `credentials.json` and `aws_credentials`. Patterns with `*`
 * or `?` are globs, matched in linear time whatever the user typed.
 */
export function componentMatches(component: string, pattern: string): boolean {
  return normalisedMatches(normaliseName(component.slice(0, MAX_NAME)), normaliseName(pattern));
}

/** `componentMatches` on names already passed through `normaliseName`. */
function normalisedMatches(c: string, p: string): boolean {
  if (p.includes('*') || p.includes('?')) return globMatches(p, c);
  if (c === p) return true;
  if (c.startsWith(p) && /[._-]/.test(c.charAt(p.length))) return true;
  if (p.startsWith('.')) return c.endsWith(p);
  return c.endsWith(`.${p}`) || c.endsWith(`-${p}`) || c.endsWith(`_${p}`);
}

/**
 * `*` and `?` wildcard matching without backtracking blow-up: the classic greedy two-pointer
 * walk that remembers only the last `*`, so a pattern like `*a*a*a*a*b` costs at most
 * O(pattern × name) steps instead of the exponential time a regular expression can take.
 */
export function globMatches(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (n < name.length) {
    const gc = glob[g];
    if (gc === '*') {
      starAt = g++;
      resumeAt = n;
    } else if (gc !== undefined && (gc === '?' || gc === name[n])) {
      g++;
      n++;
    } else if (starAt >= 0) {
      g = starAt + 1;
      n = ++resumeAt;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/**
 * Patterns compiled once for a scan: each is normalised and split into its folder names, so a
 * walk over 100,000 entries normalises every name once, not once per pattern.
 */
export function compilePatterns(
  patterns: readonly string[],
): (normalisedComponents: readonly string[]) => string | null {
  const compiled = patterns.map((pattern) => ({
    pattern,
    parts: pattern.split('/').map(normaliseName),
  }));
  return (components) => {
    for (const { pattern, parts } of compiled) {
      if (parts.length > components.length) continue;
      const offset = components.length - parts.length;
      const hit = parts.every((part, i) => {
        const component = components[offset + i] as string;
        // Only the last name gets the variant rules; the folders before it must match exactly.
        if (i === parts.length - 1) return normalisedMatches(component, part);
        return part.includes('*') || part.includes('?')
          ? globMatches(part, component)
          : component === part;
      });
      if (hit) return pattern;
    }
    return null;
  };
}

/** Does the path that ends in `components` match `pattern`? */
export function pathEndMatches(components: readonly string[], pattern: string): boolean {
  return (
    compilePatterns([pattern])(components.map((c) => normaliseName(c.slice(0, MAX_NAME)))) !== null
  );
}

/** The first blocked pattern any component (or run of components) of `path` matches. */
export function findBlockedComponent(
  path: string,
  patterns: readonly string[],
): { pattern: string; component: string } | null {
  const components = path.split(/[\\/]+/).filter((c) => c !== '' && c !== '.' && c !== '..');
  const normalised = components.map((c) => normaliseName(c.slice(0, MAX_NAME)));
  const match = compilePatterns(patterns);
  for (let end = 1; end <= components.length; end++) {
    const pattern = match(normalised.slice(0, end));
    if (pattern) return { pattern, component: components[end - 1] as string };
  }
  return null;
}
