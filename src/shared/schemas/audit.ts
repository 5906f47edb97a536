import { z } from 'zod';

export const severitySchema = z.enum(['info', 'warning', 'violation', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

export const auditEntrySchema = z
  .object({
    id: z.string(),
    time: z.string(),
    severity: severitySchema,
    /** What area raised it: `runtime`, `mounts`, `proxy`, `ipc`, `settings`, `api`, … */
    category: z.string(),
    group: z.string().optional(),
    container: z.string().optional(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 10_000;

export const auditQuerySchema = z.object({
  severity: severitySchema.optional(),
  category: z.string().max(100).optional(),
  group: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  /** Only entries older than this entry id (for paging back through the log). */
  before: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_MAX_LIMIT).default(AUDIT_DEFAULT_LIMIT),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditQueryResultSchema = z.object({
  entries: z.array(auditEntrySchema),
  /** How many entries matched before `limit` cut the list. */
  truncated: z.boolean(),
});
