import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkSpec,
  describeSpec,
  nextFire,
  nextFires,
} from '../../src/main/services/scheduler/schedule-math';
import type { AppError } from '../../src/shared/errors';

afterEach(() => vi.useRealTimers());

const zoneTime = (ms: number, zone: string) =>
  new Date(ms).toLocaleString('en-GB', { timeZone: zone, hour12: false });

describe('cron', () => {
  it('fires at the local time of its zone, strictly after now', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-10T12:00:00Z') });
    const next = nextFire({
      spec: { type: 'cron', value: '0 9 * * *' },
      timezone: 'America/New_York',
      anchor: 0,
      lastScheduled: null,
      now: Date.now(),
    });
    expect(new Date(next as number).toISOString()).toBe('2026-01-10T14:00:00.000Z'); // 09:00 EST
  });

  it('crosses a spring-forward night without firing twice or skipping more than that day', () => {
    // Europe/Berlin: 2026-03-29 02:00 → 03:00. 02:30 does not exist that night.
    vi.useFakeTimers({ now: Date.parse('2026-03-27T12:00:00Z') });
    const fires = nextFires(
      {
        spec: { type: 'cron', value: '30 2 * * *' },
        timezone: 'Europe/Berlin',
        anchor: 0,
        now: Date.now(),
      },
      4,
    );
    expect(new Set(fires).size).toBe(fires.length);
    const days = fires.map((f) => zoneTime(f, 'Europe/Berlin').slice(0, 10));
    expect(days[0]).toBe('28/03/2026');
    expect(days).toContain('30/03/2026');
    for (const f of fires)
      expect(['02:30', '03:30']).toContain(zoneTime(f, 'Europe/Berlin').slice(12, 17));
  });

  it('fires once on a fall-back night, when 02:30 happens twice', () => {
    // Europe/Berlin: 2026-10-25 03:00 → 02:00.
    vi.useFakeTimers({ now: Date.parse('2026-10-24T12:00:00Z') });
    const fires = nextFires(
      {
        spec: { type: 'cron', value: '30 2 * * *' },
        timezone: 'Europe/Berlin',
        anchor: 0,
        now: Date.now(),
      },
      3,
    );
    const days = fires.map((f) => zoneTime(f, 'Europe/Berlin').slice(0, 10));
    expect(days).toEqual(['25/10/2026', '26/10/2026', '27/10/2026']);
  });

  it('refuses what cannot fire, naming the field', () => {
    const refuse = (value: string, timezone: string | null = null) => {
      try {
        checkSpec({ type: 'cron', value }, timezone);
      } catch (error) {
        return (error as AppError).message;
      }
      return 'accepted';
    };
    expect(refuse('61 * * * *')).toMatch(/schedule.value .*minute/);
    expect(refuse('* * * *')).toMatch(/has 4 fields; a cron expression has 5/);
    expect(refuse('0 0 * * * *')).toMatch(/has 6 fields/);
    expect(refuse('0 9 * * *', 'Mars/Olympus')).toMatch(
      /^timezone "Mars\/Olympus" is not a time zone/,
    );
    expect(refuse('*/5 * * * *')).toBe('accepted');
  });

  it('describes itself in words', () => {
    expect(describeSpec({ type: 'cron', value: '0 9 * * 1-5' }, 'Europe/Berlin')).toBe(
      'At 09:00, Monday through Friday (Europe/Berlin)',
    );
    expect(describeSpec({ type: 'interval', value: '5400000' }, null)).toBe('Every 1 h 30 min');
  });
});

describe('intervals', () => {
  it('keep to their grid over 10,000 fires however late each run starts: zero drift', () => {
    const anchor = Date.parse('2026-01-01T00:00:00Z');
    const every = 60_000;
    let last: number | null = null;
    let seed = 7;
    for (let k = 1; k <= 10_000; k++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const lateness = seed % 5000; // the run started up to 5 s after its slot
      const now: number = last === null ? anchor : last + lateness;
      const next = nextFire({
        spec: { type: 'interval', value: String(every) },
        timezone: null,
        anchor,
        lastScheduled: last,
        now,
      });
      expect(next).toBe(anchor + k * every);
      last = next;
    }
  });

  it('skip the slots missed while asleep, never replaying them', () => {
    const anchor = 0;
    const next = nextFire({
      spec: { type: 'interval', value: '60000' },
      timezone: null,
      anchor,
      lastScheduled: 60_000,
      now: 60_000 * 10 + 5, // woke up nine slots later
    });
    expect(next).toBe(60_000 * 11);
  });

  it('refuse less than 10 s, or a value that is not a number', () => {
    expect(() => checkSpec({ type: 'interval', value: '500' }, null)).toThrow(/at least 10000/);
    expect(() => checkSpec({ type: 'interval', value: 'hourly' }, null)).toThrow(
      /whole number of milliseconds/,
    );
  });
});

describe('once', () => {
  it('fires at its time, and never again', () => {
    const at = Date.parse('2026-12-24T17:00:00Z');
    const spec = { type: 'once' as const, value: '2026-12-24T18:00:00+01:00' };
    expect(nextFire({ spec, timezone: null, anchor: 0, lastScheduled: null, now: 0 })).toBe(at);
    expect(
      nextFire({ spec, timezone: null, anchor: 0, lastScheduled: at, now: at + 1 }),
    ).toBeNull();
    expect(() => checkSpec({ type: 'once', value: 'christmas' }, null)).toThrow(/ISO 8601/);
  });
});
