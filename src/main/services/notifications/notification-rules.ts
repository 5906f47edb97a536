import type { AuditEntry } from '../../../shared/schemas/audit';
import type { ImageStatus } from '../../../shared/schemas/image';
import type { Session } from '../../../shared/schemas/sessions';
import type { Settings } from '../../../shared/schemas/settings';
import type { Squad } from '../../../shared/schemas/squads';

/**
 * What deserves a native notification — only what the user must act on — and how often.
 * Pure: each rule takes the state before and after a change; the gate decides what is shown.
 */
export type NotificationKind = keyof Settings['notifications'];

export interface AppNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  /** Where a click takes the user: a renderer route. */
  route: string;
  /** The same key within the quiet period is shown once (a flapping thing, one notification). */
  key: string;
}

const shorten = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

/** A session that ended on its own: finished, or failed or timed out. A user's Stop is not news. */
export function sessionNotification(
  before: Session['state'] | undefined,
  after: Session,
): AppNotification | null {
  if (after.state !== 'ended' || before === 'ended' || before === undefined) return null;
  // A squad's planner and tasks: the squad itself notifies once (squadNotification).
  if (after.trigger === 'squad') return null;
  const title = shorten(after.title || 'Agent task', 60);
  const route = `#/cowork/${after.id}`;
  if (after.lastStatus === 'succeeded')
    return {
      kind: 'sessionFinished',
      title: `Agent finished: ${title}`,
      body: `${after.groupName} · open the transcript to see what it did`,
      route,
      key: `session-${after.id}-${after.runs}`,
    };
  if (after.lastStatus === 'failed' || after.lastStatus === 'timeout')
    return {
      kind: 'sessionFailed',
      title: `Agent ${after.lastStatus === 'timeout' ? 'timed out' : 'failed'}: ${title}`,
      body: shorten(after.error ?? `${after.groupName} · open the transcript for the cause`, 120),
      route,
      key: `session-${after.id}-${after.runs}`,
    };
  return null;
}

/** A squad whose plan waits for the user, or that ended on its own (a Cancel is not news). */
export function squadNotification(
  before: Squad['state'] | undefined,
  after: Squad,
): AppNotification | null {
  if (before === after.state) return null;
  const title = shorten(after.goal.replace(/\s+/g, ' ') || 'Squad', 60);
  const route = `#/squads/${after.id}`;
  const done = after.tasks.filter((t) => t.state === 'succeeded').length;
  const base = { route, key: `squad-${after.id}-${after.state}-${after.planner.attempts}` };
  switch (after.state) {
    case 'planned':
      return after.autoRun
        ? null
        : {
            ...base,
            kind: 'sessionFinished',
            title: `Squad plan ready: ${title}`,
            body: `${after.tasks.length} tasks in ${after.waves.length} waves · run it, edit it or re-plan`,
          };
    case 'succeeded':
      return {
        ...base,
        kind: 'sessionFinished',
        title: `Squad finished: ${title}`,
        body: `All ${after.tasks.length} tasks succeeded · open it for the results`,
      };
    case 'failed':
    case 'timeout':
    case 'plan_failed':
      return {
        ...base,
        kind: 'sessionFailed',
        title: `Squad ${after.state === 'timeout' ? 'timed out' : after.state === 'plan_failed' ? 'has no valid plan' : 'finished with failures'}: ${title}`,
        body: shorten(
          after.state === 'plan_failed'
            ? (after.error ?? 'Edit the plan or re-plan.')
            : `${done} of ${after.tasks.length} tasks succeeded · open it to see which and why`,
          120,
        ),
      };
    default:
      return null;
  }
}

export function auditNotification(entry: AuditEntry): AppNotification | null {
  if (entry.severity !== 'violation' && entry.severity !== 'critical') return null;
  return {
    kind: 'securityViolation',
    title: entry.severity === 'critical' ? 'Critical security event' : 'Security violation blocked',
    body: shorten(entry.message, 120),
    route: '#/security',
    key: `audit-${entry.category}-${entry.message.slice(0, 60)}`,
  };
}

export function imageNotification(
  before: ImageStatus['state'] | undefined,
  after: Pick<ImageStatus, 'state' | 'image'>,
): AppNotification | null {
  if (after.state !== 'outdated' || before === 'outdated' || before === undefined) return null;
  return {
    kind: 'imageOutdated',
    title: 'Agent image outdated',
    body: `${after.image} was built by another aigo version: rebuild it so agents run the current runner.`,
    route: '#/container/image',
    key: 'image-outdated',
  };
}

/** For the channel core: a channel that gave up reconnecting (or lost its login) for good. */
export function channelNotification(channel: {
  name: string;
  state: 'connected' | 'connecting' | 'disconnected' | 'error';
  permanent: boolean;
  detail: string | null;
  route: string;
}): AppNotification | null {
  if (channel.state === 'connected' || channel.state === 'connecting' || !channel.permanent)
    return null;
  return {
    kind: 'channelDisconnected',
    title: `${channel.name} disconnected`,
    body: shorten(channel.detail ?? 'aigo stopped retrying; open the channel to reconnect.', 120),
    route: channel.route,
    key: `channel-${channel.name}`,
  };
}

export interface GateLimits {
  /** Per kind, at most this many within `windowMs`. */
  perKind: number;
  /** All kinds together. */
  total: number;
  windowMs: number;
  /** The same key is shown once within this long. */
  quietMs: number;
}

export const DEFAULT_GATE: GateLimits = {
  perKind: 3,
  total: 6,
  windowMs: 60_000,
  quietMs: 10 * 60_000,
};

/**
 * Rate limits: a burst (ten agents failing at once, a violation flood) becomes a few
 * notifications, and the next one shown says how many were held back.
 */
export class NotificationGate {
  private readonly shown: { kind: NotificationKind; at: number }[] = [];
  private readonly lastByKey = new Map<string, number>();
  private readonly held = new Map<NotificationKind, number>();

  constructor(private readonly limits: GateLimits = DEFAULT_GATE) {}

  /** The notification to show, with held-back ones counted in; null when it must not show. */
  admit(
    n: AppNotification,
    enabled: Settings['notifications'],
    now: number,
  ): AppNotification | null {
    if (!enabled[n.kind]) return null;
    const { perKind, total, windowMs, quietMs } = this.limits;
    while (this.shown.length && now - this.shown[0]!.at >= windowMs) this.shown.shift();
    for (const [key, at] of this.lastByKey) if (now - at >= quietMs) this.lastByKey.delete(key);
    if (this.lastByKey.has(n.key)) return null;
    const ofKind = this.shown.filter((s) => s.kind === n.kind).length;
    if (ofKind >= perKind || this.shown.length >= total) {
      this.held.set(n.kind, (this.held.get(n.kind) ?? 0) + 1);
      return null;
    }
    this.shown.push({ kind: n.kind, at: now });
    this.lastByKey.set(n.key, now);
    const held = this.held.get(n.kind) ?? 0;
    this.held.delete(n.kind);
    return held > 0 ? { ...n, body: `${n.body} (+${held} more held back)` } : n;
  }
}
