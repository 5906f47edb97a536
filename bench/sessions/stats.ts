import { performance } from 'node:perf_hooks';

/** Nearest-rank percentile (q in 0..1) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p90: percentile(samples, 0.9),
    p99: percentile(samples, 0.99),
    // A loop, not Math.max(...samples): a spread of 100k+ samples overflows the stack.
    max: samples.length ? samples.reduce((m, x) => (x > m ? x : m), -Infinity) : Number.NaN,
  };
}

export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
export const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '—';
export const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

export const sleep = (millis: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, millis));

/** Uniform random gap in [min, max) ms. */
export const gap = (min: number, max: number): Promise<void> =>
  sleep(min + Math.random() * (max - min));

/**
 * Polls `check` (cheap, in-process) every `everyMs` until it returns a value, or throws once
 * `timeoutMs` has passed: every wait in the benchmark is bounded.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | null | undefined | false,
  timeoutMs: number,
  everyMs = 1,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}
