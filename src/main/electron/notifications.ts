import { Notification } from 'electron';
import type { AppCore } from '../app';
import { NotificationService } from '../services/notifications/notification-service';

/** Native notifications for what the user must act on; a click opens the place to act. */
export function startNotifications(core: AppCore, open: (route: string) => void): () => void {
  const service = new NotificationService({
    bus: core.bus,
    settings: core.services.settings,
    show: (n) => {
      if (!Notification.isSupported()) return;
      const note = new Notification({ title: n.title, body: n.body });
      note.on('click', () => open(n.route));
      note.show();
    },
  });
  service.start({
    sessions: core.services.sessions.list({ limit: 200 }),
    image: core.services.image.status().state,
  });
  return () => service.stop();
}
