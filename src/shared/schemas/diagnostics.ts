import { z } from 'zod';

export const diagnosticSchema = z.object({
  id: z.string(),
  /** Which part of the app: runtime, image, proxy, mounts, app. */
  area: z.string(),
  status: z.enum(['ok', 'info', 'warn', 'fail']),
  title: z.string(),
  detail: z.string(),
  /** What to do, in order; empty when nothing needs doing. */
  fix: z.array(z.string()),
  /** Where in Settings to act on it, as a UI route (`container/runtime`). */
  route: z.string().nullable(),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

export const diagnosticsSchema = z
  .object({
    status: z.enum(['ok', 'warn', 'fail']),
    items: z.array(diagnosticSchema),
    checkedAt: z.string(),
  })
  .meta({ id: 'Diagnostics' });
export type Diagnostics = z.infer<typeof diagnosticsSchema>;
