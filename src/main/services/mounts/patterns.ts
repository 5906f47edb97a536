/** Longest name a pattern is compared with; longer ones are cut (no file system allows them). */
const MAX_NAME = 1024;

/** Case-folded, NFC-normalised, so `café` typed one way matches `café` stored the other way. */
export function normaliseName(name: string): string {
  // ASCII is its own NFC form: skip the Unicode tables for the usual name.
  for (let i = 0; i < name.length; i++)
    if (name.charCodeAt(i) > 0x7f) return name.normalize('NFC').toLowerCase();
  return name.toLowerCase();
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
  const match = entryMatcherFor(patterns);
  for (let end = 1; end <= components.length; end++) {
    const pattern = match(normalised, normalised[end - 1] as string, end - 1);
    if (pattern) return { pattern, component: components[end - 1] as string };
  }
  return null;
}

/**
 * Which pattern (the first in the list) an entry matches, given its normalised name and the
 * normalised names of the folders above it — the first `folderCount` of `folderNames`, all of
 * them by default — or null.
 */
export type EntryMatcher = (
  folderNames: readonly string[],
  name: string,
  folderCount?: number,
) => string | null;

const matchers = new Map<string, EntryMatcher>();
/** By the list itself: the policy's list is frozen and kept, so most calls skip the join. */
const byList = new WeakMap<readonly string[], EntryMatcher>();

/** `compileEntryMatcher`, compiled once per list of patterns (the last few lists are kept). */
export function entryMatcherFor(patterns: readonly string[]): EntryMatcher {
  const known = byList.get(patterns);
  if (known) return known;
  const key = patterns.join('\0');
  let matcher = matchers.get(key);
  if (!matcher) {
    if (matchers.size >= 8) matchers.delete(matchers.keys().next().value as string);
    matcher = compileEntryMatcher(patterns);
    matchers.set(key, matcher);
  }
  if (Object.isFrozen(patterns)) byList.set(patterns, matcher);
  return matcher;
}

/** A pattern split for matching one entry at a time. */
interface EntryPattern {
  pattern: string;
  /** Its position in the list: the first pattern that matches is the one reported. */
  index: number;
  /** The name the entry itself must match (with the variant rules). */
  last: string;
  lastIsGlob: boolean;
  lastStartsWithDot: boolean;
  /** The folder names right above it, matched exactly (or as globs). */
  folders: { part: string; glob: boolean }[];
}

const DOT = 46;
const DASH = 45;
const UNDERSCORE = 95;
const isVariantSeparator = (code: number): boolean =>
  code === DOT || code === DASH || code === UNDERSCORE;

/** `normalisedMatches` for a compiled pattern's last name. */
function lastMatches(c: string, p: EntryPattern): boolean {
  const last = p.last;
  if (p.lastIsGlob) return globMatches(last, c);
  if (c.length < last.length) return false;
  if (c.length === last.length) return c === last;
  if (c.startsWith(last) && isVariantSeparator(c.charCodeAt(last.length))) return true;
  if (!c.endsWith(last)) return false;
  return p.lastStartsWithDot || isVariantSeparator(c.charCodeAt(c.length - last.length - 1));
}

/**
 * `compilePatterns` for a walk: matches one entry given the (normalised) names of the folders
 * above it, so the walk does not build a path array per entry, and tries only the patterns
 * that can match the name at all. A name matches a plain pattern only if it starts or ends with
 * it, and a glob only if it has the glob's fixed first or last character, so the patterns are
 * bucketed by first and last character; the candidates for each pair are merged once, in list
 * order, so the first match is the same one `compilePatterns` reports.
 */
export function compileEntryMatcher(patterns: readonly string[]): EntryMatcher {
  const compiled: EntryPattern[] = patterns.map((pattern, index) => {
    const parts = pattern.split('/').map(normaliseName);
    const last = parts[parts.length - 1] as string;
    return {
      pattern,
      index,
      last,
      lastIsGlob: last.includes('*') || last.includes('?'),
      lastStartsWithDot: last.startsWith('.'),
      folders: parts
        .slice(0, -1)
        .map((part) => ({ part, glob: part.includes('*') || part.includes('?') })),
    };
  });
  const byFirst = new Map<number, EntryPattern[]>();
  const byLast = new Map<number, EntryPattern[]>();
  const always: EntryPattern[] = [];
  const add = (map: Map<number, EntryPattern[]>, code: number, p: EntryPattern) => {
    const list = map.get(code);
    if (list) list.push(p);
    else map.set(code, [p]);
  };
  const wild = (code: number) => code === 42 /* * */ || code === 63; /* ? */
  for (const p of compiled) {
    const first = p.last.charCodeAt(0);
    const final = p.last.charCodeAt(p.last.length - 1);
    if (p.last.length === 0) always.push(p);
    else if (!p.lastIsGlob) {
      add(byFirst, first, p);
      add(byLast, final, p);
    } else if (!wild(first)) add(byFirst, first, p);
    else if (!wild(final)) add(byLast, final, p);
    else always.push(p);
  }
  const candidates = new Map<number, EntryPattern[]>();
  const candidatesFor = (name: string): EntryPattern[] => {
    const first = name.charCodeAt(0);
    const final = name.charCodeAt(name.length - 1);
    const key = first * 0x10000 + final;
    const known = candidates.get(key);
    if (known) return known;
    const merged = [
      ...new Set([...(byFirst.get(first) ?? []), ...(byLast.get(final) ?? []), ...always]),
    ].sort((a, b) => a.index - b.index);
    if (candidates.size < 4096) candidates.set(key, merged);
    return merged;
  };
  return (folderNames, name, folderCount = folderNames.length) => {
    if (name.length === 0) return null;
    for (const p of candidatesFor(name)) {
      const folders = p.folders;
      if (folders.length > folderCount) continue;
      if (!lastMatches(name, p)) continue;
      let hit = true;
      const offset = folderCount - folders.length;
      for (let i = 0; i < folders.length && hit; i++) {
        const { part, glob } = folders[i] as { part: string; glob: boolean };
        const component = folderNames[offset + i] as string;
        hit = glob ? globMatches(part, component) : component === part;
      }
      if (hit) return p.pattern;
    }
    return null;
  };
}
