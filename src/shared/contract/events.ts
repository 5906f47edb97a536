import { z } from 'zod';
import { channelStatusSchema } from '../schemas/channels';
import { appWarningSchema } from '../schemas/app';
import { auditEntrySchema } from '../schemas/audit';
import { mountSecurityViewSchema } from '../schemas/mounts';
import { proxyStatusSchema } from '../schemas/proxy';
import { imageStatusSchema } from '../schemas/image';
import { runtimeStatusSchema } from '../schemas/runtime';
import { settingsSchema } from '../schemas/settings';
import { groupSchema } from '../schemas/groups';
import { scheduleSchema } from '../schemas/schedules';
import { containerAuditSchema } from '../schemas/container-audit';
import { squadSchema } from '../schemas/squads';
import { runRecordSchema, sessionSchema, transcriptItemSchema } from '../schemas/sessions';

/** Every event the core pushes to its clients (IPC in the desktop app, SSE on the web). */
export const events = {
  'runtime.changed': runtimeStatusSchema,
  'settings.changed': settingsSchema,
  'app.warning': appWarningSchema,
  /** The whole list, after a warning is added or dismissed (tray, other windows). */
  'app.warningsChanged': z.object({ warnings: z.array(appWarningSchema) }),
  'audit.appended': auditEntrySchema,
  'mountSecurity.changed': mountSecurityViewSchema,
  'proxy.changed': proxyStatusSchema,
  'image.changed': imageStatusSchema,
  'groups.changed': z.object({ groups: z.array(groupSchema) }),
  /** A session's state, queue position or progress changed. */
  'session.updated': sessionSchema,
  /** One new (or updated: same id) step of a session's transcript. */
  'session.transcript': z.object({ session: z.string(), item: transcriptItemSchema }),
  'runs.appended': runRecordSchema,
  'schedules.changed': z.object({ schedules: z.array(scheduleSchema) }),
  /** A chat channel's connection, counters, chats or queue changed. */
  'channel.updated': channelStatusSchema,
  'securityAudit.changed': containerAuditSchema,
  /** A squad's state, plan or one of its tasks changed. */
  'squad.updated': squadSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;
export type AnyEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

export const eventNames = Object.keys(events) as EventName[];
