import type { z } from 'zod';
import { coreOperations } from './core-operations';
import { containerAuditOperations } from './audit-operations';
import { scheduleOperations } from './schedule-operations';
import { channelOperations } from './channel-operations';
import { sessionOperations } from './session-operations';
import { squadOperations } from './squad-operations';

/** Every operation of the app. Add one to its part, then its handler in src/main/handlers. */
export const operations = {
  ...coreOperations,
  ...sessionOperations,
  ...squadOperations,
  ...scheduleOperations,
  ...channelOperations,
  ...containerAuditOperations,
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationInput<N extends OperationName> = z.input<Operations[N]['input']>;
export type OperationParsedInput<N extends OperationName> = z.output<Operations[N]['input']>;
export type OperationOutput<N extends OperationName> = z.output<Operations[N]['output']>;

export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}
