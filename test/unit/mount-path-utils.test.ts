import { isAbsolute, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside } from '../../src/main/services/mounts/path-utils';

/** isInside as it was: path.relative for every pair. */
function referenceIsInside(child: string, parent: string, caseInsensitive = false): boolean {
  const c = caseInsensitive ? child.toLowerCase() : child;
  const p = caseInsensitive ? parent.toLowerCase() : parent;
  const rel = relative(p, c);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Seeded, so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('isInside', () => {
  it('answers as path.relative does, on resolved and unresolved paths alike', () => {
    const random = prng(20261129);
    const names = ['a', 'b', 'A', 'ab', '.', '..', '..a', '.a', 'a..', '', 'a b'];
    const path = () => {
      const parts = Array.from(
        { length: Math.floor(random() * 5) },
        () => names[Math.floor(random() * names.length)],
      );
      const joined = `/${parts.join('/')}`;
      return random() < 0.1 ? `${joined}/` : random() < 0.05 ? parts.join('/') : joined;
    };
    for (let i = 0; i < 50_000; i++) {
      const child = path();
      const parent = random() < 0.3 ? `${child}${path()}` : path();
      const ci = random() < 0.2;
      expect(isInside(child, parent, ci), `"${child}" in "${parent}" (${ci})`).toBe(
        referenceIsInside(child, parent, ci),
      );
      expect(isInside(parent, child, ci), `"${parent}" in "${child}" (${ci})`).toBe(
        referenceIsInside(parent, child, ci),
      );
    }
  });

  it('keeps the cases that matter', () => {
    expect(isInside('/a/proj/x', '/a/proj')).toBe(true);
    expect(isInside('/a/proj', '/a/proj')).toBe(true);
    expect(isInside('/a/project-secrets', '/a/proj')).toBe(false);
    expect(isInside('/anything', '/')).toBe(true);
    expect(isInside('/A/Proj/x', '/a/proj', true)).toBe(true);
    expect(isInside('/a/proj/../x', '/a/proj')).toBe(false);
  });
});
