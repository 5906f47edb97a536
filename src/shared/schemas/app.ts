import { z } from 'zod';
import { runtimeStatusSchema } from './runtime';

export const appModeSchema = z.enum(['desktop', 'headless']);

export const appWarningSchema = z
  .object({
    id: z.string(),
    time: z.string(),
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AppWarning' });
export type AppWarning = z.infer<typeof appWarningSchema>;

export const appInfoSchema = z
  .object({
    name: z.literal('aigo'),
    version: z.string(),
    mode: appModeSchema,
    platform: z.string(),
    arch: z.string(),
    nodeVersion: z.string(),
    dataDir: z.string(),
    logDir: z.string(),
    apiUrl: z.string(),
    pid: z.number(),
    startedAt: z.string(),
    /** What the host can do for the UI: open a folder in the file manager, pick folders. */
    capabilities: z.object({ openPath: z.boolean(), pickFolder: z.boolean() }),
  })
  .meta({ id: 'AppInfo' });
export type AppInfo = z.infer<typeof appInfoSchema>;

export const serviceStateSchema = z.object({
  name: z.string(),
  state: z.enum(['running', 'stopped', 'degraded']),
  detail: z.string().optional(),
});

export const appStatusSchema = z
  .object({
    app: appInfoSchema,
    runtime: runtimeStatusSchema,
    services: z.array(serviceStateSchema),
    logLevel: z.string(),
    warnings: z.array(appWarningSchema),
  })
  .meta({ id: 'AppStatus' });
export type AppStatus = z.infer<typeof appStatusSchema>;
