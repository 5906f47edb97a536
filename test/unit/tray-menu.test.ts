import { describe, expect, it } from 'vitest';
import { buildTrayMenu, trayTooltip } from '../../src/main/tray/tray-menu';
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
  it('shows the runtime with its version, then Open Settings and Quit', () => {
    expect(labels(buildTrayMenu({ runtime: base, warnings: 0 }))).toEqual([
      'Runtime: Docker 27.1.0',
      '---',
      'Open Settings',
      'Quit aigo',
    ]);
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
});
