import { describe, expect, it } from 'vitest';
import {
  buildTrayMenu,
  TRAY_MAX_SESSIONS,
  trayLevel,
  trayTooltip,
  type TrayLevel,
  type TrayState,
  type TraySession,
} from '../../src/main/tray/tray-menu';
import type { ImageState } from '../../src/shared/schemas/image';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';

const NOW = Date.parse('2026-11-29T12:00:00Z');

const runtimeOk: RuntimeStatus = {
  available: true,
  backend: 'docker',
  product: 'Docker Engine',
  version: '27.1.0',
  apiVersion: '1.46',
  endpoint: 'unix:///var/run/docker.sock',
  networking: { hostGateway: '172.17.0.1', extraRunArgs: [], source: 'docker0' },
  disk: null,
  message: 'ok',
  checks: [],
  checkedAt: new Date(0).toISOString(),
};

const session = (n: number, state: TraySession['state'] = 'running'): TraySession => ({
  id: `s${n}`,
  groupName: 'main',
  title: `task ${n}`,
  state,
  progress: { turn: 1, toolCalls: 0, activity: state === 'running' ? 'run_command' : null },
});

const healthy: TrayState = {
  runtime: runtimeOk,
  image: { state: 'ready', progress: null },
  proxy: { enabled: true, running: true, lastError: null, mappingCount: 1 },
  sessions: [],
  nextSchedule: null,
  warnings: 0,
  paused: false,
  now: NOW,
};

const labels = (state: TrayState) =>
  buildTrayMenu(state).map((i) => (i.type === 'separator' ? '---' : i.label));

// What each part's state should cost, written out independently of the code under test.
const RUNTIMES: [string, RuntimeStatus | null, TrayLevel][] = [
  ['detecting', null, 'ok'],
  ['ok', runtimeOk, 'ok'],
  ['gone', { ...runtimeOk, available: false, backend: null }, 'problem'],
];
const IMAGES: [ImageState, TrayLevel][] = [
  ['ready', 'ok'],
  ['building', 'ok'],
  ['outdated', 'warning'],
  ['missing', 'problem'],
  ['failed', 'problem'],
  ['unknown', 'ok'],
];
const PROXIES: [string, TrayState['proxy'], TrayLevel][] = [
  ['on', healthy.proxy, 'ok'],
  ['no mapping', { enabled: true, running: true, lastError: null, mappingCount: 0 }, 'warning'],
  ['off', { enabled: false, running: false, lastError: null, mappingCount: 1 }, 'warning'],
  [
    'down',
    { enabled: true, running: false, lastError: 'EADDRINUSE 3001', mappingCount: 1 },
    'problem',
  ],
];
const worst = (levels: TrayLevel[]): TrayLevel =>
  levels.includes('problem') ? 'problem' : levels.includes('warning') ? 'warning' : 'ok';

describe('tray menu, for every combination of states', () => {
  const combos: [string, TrayState, TrayLevel][] = [];
  for (const [rName, runtime, rLevel] of RUNTIMES)
    for (const [image, iLevel] of IMAGES)
      for (const [pName, proxy, pLevel] of PROXIES)
        for (const paused of [false, true])
          for (const warnings of [0, 2])
            for (const busy of [false, true])
              combos.push([
                `runtime ${rName}, image ${image}, proxy ${pName}, paused ${paused}, warnings ${warnings}, busy ${busy}`,
                {
                  ...healthy,
                  runtime,
                  image: {
                    state: image,
                    progress: image === 'building' ? ({ percent: 40 } as never) : null,
                  },
                  proxy,
                  paused,
                  warnings,
                  sessions: busy ? [session(1), session(2, 'queued')] : [],
                  nextSchedule: busy ? { name: 'Daily digest', at: '2026-11-29T14:00:00Z' } : null,
                },
                worst([
                  rLevel,
                  iLevel,
                  pLevel,
                  paused ? 'warning' : 'ok',
                  warnings ? 'warning' : 'ok',
                ]),
              ]);

  it(`covers ${RUNTIMES.length * IMAGES.length * PROXIES.length * 8} states`, () => {
    expect(combos.length).toBe(576);
  });

  it.each(combos)('%s', (_name, state, expectedLevel) => {
    const items = buildTrayMenu(state);
    const text = labels(state);
    // One line each, in order: runtime, image, proxy, agents, next schedule.
    const order = [
      'Runtime:',
      'Agent image:',
      'Credential proxy:',
      'Agents:',
      'Next schedule:',
    ].map((prefix) => text.findIndex((l) => l.startsWith(prefix)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every line does something: opens its page, or fixes the thing itself.
    for (const item of items)
      if (item.type === 'normal') {
        expect(item.action, item.label).toBeDefined();
        if (item.route) expect(item.route).toMatch(/^#\/[\w/-]+$/);
      }
    expect(text.slice(-5)).toEqual([
      'Open aigo',
      'New task…',
      state.paused ? 'Resume agents' : 'Pause all agents',
      '---',
      'Quit aigo',
    ]);
    expect(trayLevel(state)).toBe(expectedLevel);
    const tooltip = trayTooltip(state);
    expect(tooltip.length).toBeLessThanOrEqual(127);
    expect(tooltip.startsWith('aigo — ')).toBe(true);
    expect(tooltip.includes('all good')).toBe(expectedLevel === 'ok');
    const rebuild = items.some((i) => i.type === 'normal' && i.action === 'rebuild-image');
    expect(rebuild).toBe(state.image?.state === 'missing' || state.image?.state === 'outdated');
    const recheck = items.some((i) => i.type === 'normal' && i.action === 'recheck-runtime');
    expect(recheck).toBe(state.runtime?.available === false);
  });
});

describe('tray menu lines', () => {
  it('a healthy aigo: what runs, and where each line leads', () => {
    expect(labels(healthy)).toEqual([
      'Runtime: Docker 27.1.0',
      'Agent image: ready',
      'Credential proxy: on, 1 mapping',
      'Agents: none running',
      'Next schedule: none',
      '---',
      'Open aigo',
      'New task…',
      'Pause all agents',
      '---',
      'Quit aigo',
    ]);
    const routes = buildTrayMenu(healthy)
      .slice(0, 5)
      .map((i) => (i.type === 'normal' ? i.route : null));
    expect(routes).toEqual([
      '#/container/runtime',
      '#/container/image',
      '#/container/proxy',
      '#/cowork',
      '#/container/schedules',
    ]);
    expect(trayTooltip(healthy)).toBe('aigo — all good · no agent running');
  });

  it('lists running agents under the Agents line, caps the list, and shows the next schedule', () => {
    const many = Array.from({ length: TRAY_MAX_SESSIONS + 2 }, (_, i) => session(i));
    const state = {
      ...healthy,
      sessions: [...many, session(99, 'queued')],
      nextSchedule: { name: 'Daily digest', at: '2026-11-29T14:00:00Z' },
    };
    const text = labels(state);
    expect(text).toContain(`Agents: ${TRAY_MAX_SESSIONS + 2} running, 1 waiting`);
    expect(text).toContain('    main: task 0 — run_command');
    expect(text).toContain('    …and 2 more');
    expect(text).toContain('Next schedule: Daily digest in 2 h');
    expect(trayTooltip(state)).toBe(`aigo — all good · ${TRAY_MAX_SESSIONS + 2} agents running`);
  });

  it('paused: says so, holds the schedule, offers Resume, and the icon warns', () => {
    const state = {
      ...healthy,
      paused: true,
      sessions: [session(1, 'queued')],
      nextSchedule: { name: 'Digest', at: '2026-11-29T12:20:00Z' },
    };
    expect(labels(state)).toContain('Agents: paused, 1 waiting');
    expect(labels(state)).toContain('Next schedule: Digest in 20 min (held: agents paused)');
    expect(trayLevel(state)).toBe('warning');
    expect(trayTooltip(state)).toBe('aigo — agents paused');
  });

  it('the tooltip leads with the worst problem and counts the rest', () => {
    const state: TrayState = {
      ...healthy,
      runtime: { ...runtimeOk, available: false, backend: null },
      proxy: { enabled: false, running: false, lastError: null, mappingCount: 0 },
      warnings: 1,
    };
    expect(trayTooltip(state)).toBe('aigo — no container runtime (+2 more)');
  });

  it('shows each chat channel once channels exist, its state costing the icon', () => {
    const state: TrayState = {
      ...healthy,
      channels: [
        { name: 'Telegram', state: 'connected', route: '#/channels/telegram' },
        { name: 'Slack', state: 'error', detail: 'invalid_auth', route: '#/channels/slack' },
      ],
    };
    expect(labels(state)).toContain('Telegram: connected');
    expect(labels(state)).toContain('Slack: error — invalid_auth');
    expect(trayLevel(state)).toBe('problem');
  });
});
