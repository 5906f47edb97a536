import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrayMenu, trayLevel } from '../../src/main/tray/tray-menu';
import { collectTrayState } from '../../src/main/tray/tray-state';
import { startTestApp } from '../helpers/app';

/** The tray's state read from a real core: its schedules, its pause, its proxy. */
describe('tray state from the running core', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('names the earliest enabled schedule, and follows Pause all agents', async () => {
    const now = Date.now();
    const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    const call = (op: string, input: unknown) => app.core.dispatch(op, input);
    await call('schedules.create', {
      name: 'Later',
      prompt: 'x',
      schedule: { type: 'once', value: at(180) },
    });
    await call('schedules.create', {
      name: 'Soon',
      prompt: 'x',
      schedule: { type: 'once', value: at(30) },
    });
    await call('schedules.create', {
      name: 'Off',
      prompt: 'x',
      schedule: { type: 'once', value: at(5) },
      enabled: false,
    });
    const state = collectTrayState(app.core, now);
    expect(state.nextSchedule?.name).toBe('Soon');
    expect(state.paused).toBe(false);
    expect(state.proxy?.enabled).toBe(true);
    const labels = buildTrayMenu(state).map((i) => (i.type === 'normal' ? i.label : '---'));
    expect(labels).toContain('Next schedule: Soon in 30 min');

    await call('settings.update', { sessions: { paused: true } });
    const paused = collectTrayState(app.core, now);
    expect(paused.paused).toBe(true);
    expect(trayLevel(paused)).not.toBe('ok');
    expect(
      buildTrayMenu(paused).some((i) => i.type === 'normal' && i.label === 'Resume agents'),
    ).toBe(true);
  });
});
