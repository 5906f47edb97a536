import { z } from 'zod';

export const logLevelNameSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

export const logEntrySchema = z
  .object({
    time: z.string(),
    level: logLevelNameSchema,
    /** The service that wrote it (`runtime`, `http`, `settings`, …). */
    scope: z.string().optional(),
    msg: z.string(),
    /** Remaining structured fields, already redacted. */
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof logEntrySchema>;

export const LOGS_MAX_LAST = 10_000;
