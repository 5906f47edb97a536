import { describe, expect, it } from 'vitest';
import { newestFirst } from '../../src/shared/newest-first';

describe('newest first', () => {
  it('orders ISO times newest first, as localeCompare did, without a locale', () => {
    const times = [
      '2026-11-29T10:00:00.000Z',
      '2026-11-30T09:00:00.000Z',
      '2026-11-29T10:00:00.001Z',
      '2025-01-01T00:00:00.000Z',
      '2026-11-29T10:00:00.000Z',
    ].map((t, i) => ({ at: t, i }));
    const sorted = [...times].sort(newestFirst('at'));
    expect(sorted.map((x) => x.at)).toEqual(
      [...times].map((x) => x.at).sort((a, b) => b.localeCompare(a)),
    );
    // Equal times keep their order (a stable sort, a comparator that says "same").
    expect(sorted.filter((x) => x.at === '2026-11-29T10:00:00.000Z').map((x) => x.i)).toEqual([
      0, 4,
    ]);
  });
});
