import { sleep, waitFor } from '../sessions/stats';
import { promptOf } from './fixture';
import { startHarness } from './harness';

/** One-off schedules due at the same instant. */
export const SAME_INSTANT = 5;
/** One-off schedules due at the same instant when stop() is called at the first start(). */
const AT_STOP = 20;
const DUE_IN_MS = 1500;
const SETTLE_MS = 2000;

export interface CorrectnessResult {
  /** start() calls for SAME_INSTANT one-off schedules due at the same instant (should be equal). */
  sameInstantStarts: number;
  /** … of them, distinct schedules started. */
  sameInstantDistinct: number;
  atStop: { due: number; beforeStop: number; afterStop: number };
}

/**
 * Two small, exact checks beside the timings, with real sessions' behaviour: a started run
 * stays active (for a minute), and start() takes 20 ms to answer.
 */
export async function correctness(): Promise<CorrectnessResult> {
  // 1. Several schedules due at the same instant: each should start once.
  let sameInstantStarts = 0;
  let sameInstantDistinct = 0;
  {
    const h = await startHarness('aigo-bench-same-');
    try {
      h.sessions.endAfterMs = 60_000;
      h.sessions.startDelayMs = 20;
      const service = h.service();
      await service.start();
      const at = new Date(Date.now() + DUE_IN_MS).toISOString();
      for (let i = 0; i < SAME_INSTANT; i++)
        await service.create({
          name: `same ${i}`,
          prompt: promptOf(i),
          schedule: { type: 'once', value: at },
        });
      await sleep(Math.max(0, Date.parse(at) - Date.now()) + SETTLE_MS);
      sameInstantStarts = h.sessions.calls.length;
      sameInstantDistinct = new Set(h.sessions.calls.map((c) => c.prompt)).size;
      h.sessions.halt();
      await service.stop();
      await sleep(200);
    } finally {
      await h.stop();
    }
  }

  // 2. stop() while a tick works through its due list: nothing should start after it.
  const atStop = { due: AT_STOP, beforeStop: 0, afterStop: 0 };
  {
    const h = await startHarness('aigo-bench-stop-');
    try {
      h.sessions.endAfterMs = 60_000;
      h.sessions.startDelayMs = 20;
      const service = h.service();
      await service.start();
      const at = new Date(Date.now() + DUE_IN_MS).toISOString();
      for (let i = 0; i < AT_STOP; i++)
        await service.create({
          name: `stop ${i}`,
          prompt: promptOf(i),
          schedule: { type: 'once', value: at },
        });
      await waitFor('the first start()', () => h.sessions.calls.length > 0, DUE_IN_MS + 5000, 1);
      await service.stop();
      atStop.beforeStop = h.sessions.calls.length;
      await sleep(SETTLE_MS);
      atStop.afterStop = h.sessions.calls.length - atStop.beforeStop;
      h.sessions.halt();
      await sleep(200);
    } finally {
      await h.stop();
    }
  }
  return { sameInstantStarts, sameInstantDistinct, atStop };
}
