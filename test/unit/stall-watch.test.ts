import { afterEach, describe, expect, it, vi } from 'vitest';
import { StallWatch, type Watched } from '../../src/main/services/proxy/stall-watch';

/** A watched thing whose progress the test moves, and which records when it is called stalled. */
function item(name: string, fired: string[], idleMs = 100): Watched & { progress(): number } {
  return { progress: () => 0, idleMs, onStalled: () => fired.push(name) };
}

describe('StallWatch', () => {
  afterEach(() => vi.useRealTimers());

  it('calls a thing stalled once it stands still for its idle time, and not a moving one', () => {
    vi.useFakeTimers();
    const watch = new StallWatch(Date.now);
    const fired: string[] = [];
    let moved = 0;
    watch.add(item('still', fired));
    watch.add({ ...item('moving', fired), progress: () => moved });
    const moving = setInterval(() => moved++, 20);
    vi.advanceTimersByTime(500);
    clearInterval(moving);
    expect(fired).toEqual(['still']);
    expect(watch.size).toBe(1);
    watch.close();
  });

  it('after close, late stops change nothing and a reused watch still finds stalls', () => {
    vi.useFakeTimers();
    const watch = new StallWatch(Date.now);
    const fired: string[] = [];
    watch.add(item('a', fired));
    const stopB = watch.add(item('b', fired));
    // The server closed with both in flight; their exchanges end afterwards.
    watch.close();
    stopB();
    expect(watch.size).toBe(0);
    // The proxy restarted on the same watch: only what was added since counts.
    const stopD = watch.add(item('d', fired));
    watch.add(item('c', fired));
    stopD();
    vi.advanceTimersByTime(500);
    expect(fired).toEqual(['c']);
    expect(watch.size).toBe(0);
    // Nothing left: the timer is gone.
    expect(vi.getTimerCount()).toBe(0);
  });
});
