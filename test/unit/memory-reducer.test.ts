import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MemoryReducer,
  memoryReducingCollection,
} from '../../src/main/services/app/memory-reducer';
import { silentLogger } from '../helpers/temp';

describe('the memory reducer: one collection per busy spell, only when quiet', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A reducer over a scripted CPU clock: each look sees the CPU share set before it. */
  function scripted() {
    let cpu = 0;
    const collect = vi.fn();
    const reducer = new MemoryReducer({
      logger: silentLogger(),
      collect,
      cpuMicros: () => cpu,
      intervalMs: 1000,
      quietShare: 0.05,
    });
    reducer.start();
    const interval = (share: number) => {
      cpu += share * 1_000_000;
      vi.advanceTimersByTime(1000);
    };
    return { reducer, collect, interval };
  }

  it('collects at the first quiet interval after start-up, and not again while idle', () => {
    const { reducer, collect, interval } = scripted();
    interval(0.6); // still starting
    expect(collect).not.toHaveBeenCalled();
    interval(0.01);
    expect(collect).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) interval(0.01); // background pings: not work
    expect(collect).toHaveBeenCalledTimes(1);
    reducer.stop();
  });

  it('collects again after a busy spell once it has been quiet for three intervals; bursts close together are one spell', () => {
    const { reducer, collect, interval } = scripted();
    interval(0.01);
    expect(collect).toHaveBeenCalledTimes(1);
    interval(0.9);
    interval(0.7);
    expect(collect).toHaveBeenCalledTimes(1); // never during the work
    for (let i = 0; i < 2; i++) interval(0.02);
    interval(0.5); // the next turn of the same work
    for (let i = 0; i < 2; i++) interval(0.02);
    expect(collect).toHaveBeenCalledTimes(1);
    interval(0.02);
    expect(collect).toHaveBeenCalledTimes(2);
    reducer.stop();
  });

  it('does nothing once stopped, and nothing where the runtime offers no collection', () => {
    const { reducer, collect, interval } = scripted();
    reducer.stop();
    interval(0.9);
    interval(0.0);
    expect(collect).not.toHaveBeenCalled();
    const none = new MemoryReducer({ logger: silentLogger(), collect: null });
    none.start();
    vi.advanceTimersByTime(10_000);
    expect(none.collections).toBe(0);
    none.stop();
  });

  it('stops for good when a collection throws', () => {
    const collect = vi.fn(() => {
      throw new Error('refused');
    });
    const reducer = new MemoryReducer({ logger: silentLogger(), collect, cpuMicros: () => 0 });
    reducer.start();
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);
    reducer.stop();
  });
});

describe('the memory-reducing collection on this Node', () => {
  it('exists, runs, and leaves the main context without a gc function', () => {
    const collect = memoryReducingCollection();
    expect(collect).toBeTypeOf('function');
    const junk = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` }));
    expect(junk.length).toBe(200_000);
    collect!();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
