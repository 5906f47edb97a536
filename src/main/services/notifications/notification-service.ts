import type { EventBus } from '../events/event-bus';
import type { SettingsService } from '../settings/settings-service';
import type { ImageStatus } from '../../../shared/schemas/image';
import type { Session } from '../../../shared/schemas/sessions';
import type { Squad } from '../../../shared/schemas/squads';
import {
  auditNotification,
  imageNotification,
  NotificationGate,
  sessionNotification,
  squadNotification,
  type AppNotification,
  type GateLimits,
} from './notification-rules';

export interface NotificationServiceDeps {
  bus: EventBus;
  settings: Pick<SettingsService, 'get'>;
  /** Shows one notification (the desktop app: a native one that opens `route` on click). */
  show: (notification: AppNotification) => void;
  limits?: GateLimits;
  now?: () => number;
}

/** Watches the app's events and shows what the user must act on, within the rate limits. */
export class NotificationService {
  private readonly gate: NotificationGate;
  private readonly sessionStates = new Map<string, Session['state']>();
  private readonly squadStates = new Map<string, Squad['state']>();
  private imageState: ImageStatus['state'] | undefined;
  private offs: (() => void)[] = [];

  constructor(private readonly deps: NotificationServiceDeps) {
    this.gate = new NotificationGate(deps.limits);
  }

  start(initial: { sessions: Session[]; image: ImageStatus['state'] | undefined }): void {
    for (const s of initial.sessions) this.sessionStates.set(s.id, s.state);
    this.imageState = initial.image;
    const { bus } = this.deps;
    this.offs = [
      bus.on('session.updated', (session) => {
        const before = this.sessionStates.get(session.id);
        this.sessionStates.set(session.id, session.state);
        // A session seen for the first time was created now: "queued" is its state before.
        this.offer(sessionNotification(before ?? 'queued', session));
      }),
      bus.on('squad.updated', (squad) => {
        const before = this.squadStates.get(squad.id);
        this.squadStates.set(squad.id, squad.state);
        // A squad seen for the first time was created now: it was planning before.
        this.offer(squadNotification(before ?? 'planning', squad));
      }),
      bus.on('audit.appended', (entry) => this.offer(auditNotification(entry))),
      bus.on('image.changed', (image) => {
        const before = this.imageState;
        this.imageState = image.state;
        this.offer(imageNotification(before, image));
      }),
    ];
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private offer(candidate: AppNotification | null): void {
    if (!candidate) return;
    const enabled = this.deps.settings.get().notifications;
    const admitted = this.gate.admit(candidate, enabled, this.deps.now?.() ?? Date.now());
    if (admitted) this.deps.show(admitted);
  }
}
