import { describe, expect, it } from 'vitest';
import type { Squad } from '../../src/shared/schemas/squads';
import { EventBus } from '../../src/main/services/events/event-bus';
import {
  channelNotification,
  NotificationGate,
  sessionNotification,
  squadNotification,
  type AppNotification,
} from '../../src/main/services/notifications/notification-rules';
import { NotificationService } from '../../src/main/services/notifications/notification-service';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ImageStatus } from '../../src/shared/schemas/image';
import type { Session } from '../../src/shared/schemas/sessions';
import { defaultSettings, type Settings } from '../../src/shared/schemas/settings';

const session = (patch: Partial<Session>): Session => ({
  id: 's1',
  group: 'g',
  groupName: 'main',
  title: 'Summarise the README',
  state: 'running',
  trigger: 'manual',
  chatJid: null,
  createdAt: '2026-11-29T10:00:00Z',
  updatedAt: '2026-11-29T10:00:00Z',
  container: null,
  queuePosition: null,
  runs: 1,
  lastStatus: null,
  error: null,
  progress: { turn: 1, toolCalls: 0, activity: null },
  ...patch,
});

const violation = (message: string): AuditEntry =>
  ({
    id: message,
    time: '2026-11-29T10:00:00Z',
    severity: 'violation',
    category: 'proxy',
    message,
    details: {},
  }) as unknown as AuditEntry;

const on = defaultSettings().notifications;

describe('notification rules', () => {
  it('a session that ends on its own says how; a Stop or a session already ended says nothing', () => {
    expect(
      sessionNotification('running', session({ state: 'ended', lastStatus: 'succeeded' })),
    ).toMatchObject({ kind: 'sessionFinished', route: '#/cowork/s1' });
    expect(
      sessionNotification('running', session({ state: 'ended', lastStatus: 'timeout' }))?.title,
    ).toBe('Agent timed out: Summarise the README');
    expect(
      sessionNotification(
        'running',
        session({ state: 'ended', lastStatus: 'failed', error: 'exit 137' }),
      ),
    ).toMatchObject({ kind: 'sessionFailed', body: 'exit 137' });
    expect(
      sessionNotification('stopping', session({ state: 'ended', lastStatus: 'cancelled' })),
    ).toBeNull();
    expect(
      sessionNotification('ended', session({ state: 'ended', lastStatus: 'succeeded' })),
    ).toBeNull();
    expect(sessionNotification('queued', session({ state: 'running' }))).toBeNull();
  });

  it('a channel notifies only when it gave up for good', () => {
    const base = { name: 'Telegram', detail: 'token revoked', route: '#/channels/telegram' };
    expect(channelNotification({ ...base, state: 'disconnected', permanent: false })).toBeNull();
    expect(channelNotification({ ...base, state: 'error', permanent: true })).toMatchObject({
      kind: 'channelDisconnected',
      title: 'Telegram disconnected',
      body: 'token revoked',
    });
  });
});

describe('notification gate', () => {
  const n = (kind: AppNotification['kind'], key: string): AppNotification => ({
    kind,
    title: key,
    body: 'body',
    route: '#/x',
    key,
  });

  it('shows at most 3 of a kind a minute, then counts what it held back into the next one', () => {
    const gate = new NotificationGate();
    const shown = Array.from({ length: 10 }, (_, i) =>
      gate.admit(n('sessionFailed', `k${i}`), on, 1000 + i),
    ).filter(Boolean);
    expect(shown).toHaveLength(3);
    const later = gate.admit(n('sessionFailed', 'k-late'), on, 1000 + 61_000);
    expect(later?.body).toBe('body (+7 more held back)');
  });

  it('caps all kinds together, repeats a key only after the quiet period, and obeys the switches', () => {
    const gate = new NotificationGate({ perKind: 3, total: 4, windowMs: 60_000, quietMs: 600_000 });
    const kinds = ['sessionFailed', 'sessionFinished', 'securityViolation'] as const;
    const admitted = kinds.flatMap((kind) =>
      [0, 1].map((i) => gate.admit(n(kind, `${kind}${i}`), on, 0)),
    );
    expect(admitted.filter(Boolean)).toHaveLength(4);
    expect(gate.admit(n('imageOutdated', 'image'), on, 120_000)).not.toBeNull();
    expect(gate.admit(n('imageOutdated', 'image'), on, 200_000)).toBeNull();
    expect(gate.admit(n('imageOutdated', 'image'), on, 720_001)).not.toBeNull();
    const off: Settings['notifications'] = { ...on, securityViolation: false };
    expect(gate.admit(n('securityViolation', 'v'), off, 900_000)).toBeNull();
  });
});

describe('notification service on the event bus', () => {
  it('turns events into notifications, once per change, within the settings', () => {
    const bus = new EventBus();
    let settings = defaultSettings();
    const shown: AppNotification[] = [];
    const service = new NotificationService({
      bus,
      settings: { get: () => settings },
      show: (x) => shown.push(x),
    });
    service.start({ sessions: [session({ state: 'running' })], image: 'ready' });
    bus.emit('session.updated', session({ state: 'ended', lastStatus: 'succeeded' }));
    bus.emit('session.updated', session({ state: 'ended', lastStatus: 'succeeded' }));
    bus.emit('audit.appended', violation('Blocked: real API key presented'));
    bus.emit('audit.appended', { ...violation('info'), severity: 'info' } as AuditEntry);
    const image = { state: 'outdated', image: 'aigo-agent-runner:latest' } as ImageStatus;
    bus.emit('image.changed', image);
    bus.emit('image.changed', image);
    expect(shown.map((x) => x.kind)).toEqual([
      'sessionFinished',
      'securityViolation',
      'imageOutdated',
    ]);

    settings = {
      ...settings,
      notifications: { ...settings.notifications, securityViolation: false },
    };
    bus.emit('audit.appended', violation('Blocked: path escape'));
    service.stop();
    bus.emit('session.updated', session({ id: 's2', state: 'ended', lastStatus: 'failed' }));
    expect(shown).toHaveLength(3);
  });
});

describe('squad notifications', () => {
  const squad = (patch: Partial<Squad>): Squad =>
    ({
      id: 'sq-20261129-000000-abcd',
      goal: 'Write the report',
      state: 'planning',
      autoRun: false,
      planner: { session: null, attempts: 1, problems: [] },
      tasks: [
        { id: 'a', state: 'succeeded' },
        { id: 'b', state: 'failed' },
      ],
      waves: [['a', 'b']],
      error: null,
      ...patch,
    }) as Squad;

  it("one for the squad, none for its planner's or tasks' sessions", () => {
    const bus = new EventBus();
    const shown: AppNotification[] = [];
    const service = new NotificationService({
      bus,
      settings: { get: () => defaultSettings() },
      show: (x) => shown.push(x),
    });
    service.start({ sessions: [], image: 'ready' });
    bus.emit('squad.updated', squad({}));
    bus.emit('squad.updated', squad({ state: 'planned' }));
    bus.emit('squad.updated', squad({ state: 'running' }));
    for (const id of ['t1', 't2'])
      bus.emit('session.updated', {
        ...session({ id, state: 'ended', lastStatus: 'succeeded' }),
        trigger: 'squad',
      });
    bus.emit('squad.updated', squad({ state: 'failed' }));
    bus.emit('squad.updated', squad({ state: 'failed' }));
    service.stop();
    expect(shown.map((x) => [x.kind, x.title, x.route])).toEqual([
      ['sessionFinished', 'Squad plan ready: Write the report', '#/squads/sq-20261129-000000-abcd'],
      [
        'sessionFailed',
        'Squad finished with failures: Write the report',
        '#/squads/sq-20261129-000000-abcd',
      ],
    ]);
    expect(shown[1]?.body).toBe('1 of 2 tasks succeeded · open it to see which and why');
  });

  it('a cancel is not news; a plan that runs by itself does not ask for the user', () => {
    expect(squadNotification('running', squad({ state: 'cancelled' }))).toBeNull();
    expect(squadNotification('planning', squad({ state: 'planned', autoRun: true }))).toBeNull();
    expect(squadNotification('running', squad({ state: 'timeout' }))?.title).toBe(
      'Squad timed out: Write the report',
    );
  });
});
