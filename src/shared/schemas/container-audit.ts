import { z } from 'zod';

export const auditCheckSchema = z.object({
  id: z.string(),
  ok: z.boolean(),
  /** What it should be; secrets appear only as fingerprints. */
  expected: z.string(),
  actual: z.string(),
});
export type AuditCheck = z.infer<typeof auditCheckSchema>;

export const containerAuditResultSchema = z.object({
  container: z.string(),
  name: z.string(),
  session: z.string().nullable(),
  group: z.string().nullable(),
  compliant: z.boolean(),
  checks: z.array(auditCheckSchema),
  /** What aigo did: nothing, or stopped it (Settings > Security decides). */
  action: z.enum(['none', 'stopped', 'flagged']),
  checkedAt: z.string(),
});
export type ContainerAuditResult = z.infer<typeof containerAuditResultSchema>;

export const containerAuditSchema = z
  .object({
    lastRunAt: z.string().nullable(),
    nextRunAt: z.string().nullable(),
    /** Why the last run could not look (no runtime), or null. */
    error: z.string().nullable(),
    containers: z.array(containerAuditResultSchema),
  })
  .meta({ id: 'ContainerAudit' });
export type ContainerAudit = z.infer<typeof containerAuditSchema>;
