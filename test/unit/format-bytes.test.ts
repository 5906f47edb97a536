import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/shared/format-bytes';

// Docker prints sizes in decimal units: an image of 241,000,000 bytes is "241MB" in
// `docker images`. The app must show the same number, not 230 (MiB) labelled MB.
describe('formatBytes', () => {
  it.each([
    [241_000_000, '241 MB'],
    [1_500_000_000, '1.5 GB'],
    [78_200_000_000, '78.2 GB'],
    [12_340_000, '12.3 MB'],
    [5_000, '5 kB'],
    [999, '999 bytes'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
