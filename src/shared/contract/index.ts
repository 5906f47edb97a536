export * from './define';
export * from './operations';
export * from './events';
export type { SessionOperationName } from './session-operations';
export type { ScheduleOperationName } from './schedule-operations';
export type { ContainerAuditOperationName } from './audit-operations';
export type { ChannelOperationName } from './channel-operations';
export type { SquadOperationName } from './squad-operations';
