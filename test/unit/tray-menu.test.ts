import { describe, expect, it } from 'vitest';
import {
  buildTrayMenu,
  TRAY_MAX_SESSIONS,
  trayTooltip,
  type TraySession,
} from '../../src/main/tray/tray-menu';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';

const base: RuntimeStatus = {
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

const labels = (items: ReturnType<typeof buildTrayMenu>) =>
  items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('tray menu', () => {
  it('shows the runtime with its version, then New task, Open Settings and Quit', () => {
    const items = buildTrayMenu({ runtime: base, warnings: 0 });
    expect(labels(items)).toEqual([
      'Runtime: Docker 27.1.0',
      '---',
      'New task…',
      'Open Settings',
      'Quit aigo',
    ]);
    expect(items.find((i) => i.type === 'normal' && i.label === 'New task…')).toMatchObject({
      action: 'open-settings',
      route: '#/cowork',
    });
    // No sessions at all: the same menu as before sessions existed.
    expect(labels(buildTrayMenu({ runtime: base, warnings: 0, sessions: [] }))).toEqual(
      labels(items),
    );
  });

  it('offers the fix and a re-check when the runtime is gone', () => {
    const items = buildTrayMenu({
      runtime: { ...base, available: false, backend: null },
      warnings: 0,
    });
    expect(labels(items).slice(0, 3)).toEqual([
      'Runtime: Not available',
      'Fix the container runtime…',
      'Re-check runtime',
    ]);
    expect(items.find((i) => i.type === 'normal' && i.label === 'Re-check runtime')).toMatchObject({
      action: 'recheck-runtime',
      enabled: true,
    });
  });

  it('offers a rebuild when the agent image is outdated, and shows build progress', () => {
    const outdated = buildTrayMenu({
      runtime: base,
      warnings: 0,
      image: { state: 'outdated', progress: null },
    });
    expect(
      outdated.find((i) => i.type === 'normal' && i.label === 'Agent image outdated — Rebuild'),
    ).toMatchObject({ action: 'rebuild-image', enabled: true });
    const building = labels(
      buildTrayMenu({
        runtime: base,
        warnings: 0,
        image: {
          state: 'building',
          progress: { step: 2, totalSteps: 8, percent: 13, currentLine: '' },
        },
      }),
    );
    expect(building).toContain('Building agent image… 13%');
    expect(
      labels(
        buildTrayMenu({ runtime: base, warnings: 0, image: { state: 'ready', progress: null } }),
      ),
    ).toEqual(labels(buildTrayMenu({ runtime: base, warnings: 0 })));
  });

  it('says when detection has not finished and counts warnings', () => {
    const items = labels(buildTrayMenu({ runtime: null, warnings: 2 }));
    expect(items[0]).toBe('Runtime: detecting…');
    expect(items).toContain('2 warnings — open Settings');
    expect(trayTooltip({ ...base, backend: 'apple_container' })).toBe('aigo — Apple Container');
  });

  const session = (
    id: string,
    state: TraySession['state'],
    activity: string | null = null,
    groupName = 'main',
  ): TraySession => ({
    id,
    groupName,
    title: `Task ${id}`,
    state,
    progress: { turn: 1, toolCalls: 0, activity },
  });

  it('lists running agents with their group and activity, and counts the queue', () => {
    const items = buildTrayMenu({
      runtime: base,
      warnings: 0,
      sessions: [
        session('20260101-120000-aaaa', 'running', 'run_command'),
        session('20260101-120100-bbbb', 'idle', null, 'docs'),
        session('20260101-120200-cccc', 'queued'),
        session('20260101-120300-dddd', 'queued'),
        session('20260101-115900-eeee', 'ended'),
      ],
    });
    expect(labels(items)).toEqual([
      'Runtime: Docker 27.1.0',
      '---',
      '2 agents running',
      'main: Task 20260101-120000-aaaa — run_command',
      'docs: Task 20260101-120100-bbbb — waiting for a follow-up',
      '2 waiting in the queue',
      '---',
      'New task…',
      'Open Settings',
      'Quit aigo',
    ]);
    expect(items[2]).toMatchObject({ enabled: false });
    expect(items[3]).toMatchObject({
      enabled: true,
      action: 'open-settings',
      route: '#/cowork/20260101-120000-aaaa',
    });
    expect(items[5]).toMatchObject({ route: '#/cowork', enabled: true });
    expect(trayTooltip(base, [session('a', 'running')])).toBe('aigo — Docker · 1 agent running');
  });

  it('says when only queued sessions wait, shortens long titles and caps the list', () => {
    expect(
      labels(buildTrayMenu({ runtime: base, warnings: 0, sessions: [session('q', 'queued')] })),
    ).toContain('No agent running');
    const long = {
      ...session('l', 'running', 'thinking'),
      title: 'Read every file in the workspace and write a very long report about it',
    };
    const [label] = labels(buildTrayMenu({ runtime: base, warnings: 0, sessions: [long] })).filter(
      (l) => l.startsWith('main:'),
    );
    expect(label).toBe('main: Read every file in the workspac… — thinking');
    const many = Array.from({ length: TRAY_MAX_SESSIONS + 2 }, (_, i) =>
      session(`s${i}`, 'running', 'thinking'),
    );
    const listed = labels(buildTrayMenu({ runtime: base, warnings: 0, sessions: many }));
    expect(listed.filter((l) => l.startsWith('main:'))).toHaveLength(TRAY_MAX_SESSIONS);
    expect(listed).toContain('…and 2 more');
    expect(listed).toContain(`${TRAY_MAX_SESSIONS + 2} agents running`);
  });
});
