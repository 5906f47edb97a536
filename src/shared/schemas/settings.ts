import { z } from 'zod';

/**
 * The settings file's schema. Every field has a default so an empty or partial file loads;
 * each section is patched independently through `settings.update`.
 */
export const runtimeSettingsSchema = z.object({
  /** `auto` prefers Apple Container on macOS 15+ Apple Silicon when it runs, else Docker. */
  preferred: z.enum(['auto', 'docker', 'apple_container']).default('auto'),
  /** A Docker endpoint to try first (unix:///path, tcp://host:port, npipe:////./pipe/name). */
  dockerHost: z.string().trim().max(500).nullable().default(null),
  /** Overrides the detected host-gateway address containers use to reach the app. */
  hostGatewayOverride: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:\-[\]]+$/, 'must be a host name or an IP address')
    .max(253)
    .nullable()
    .default(null),
});

export const advancedSettingsSchema = z.object({
  debugLogging: z.boolean().default(false),
});

export const settingsSchema = z
  .object({
    runtime: runtimeSettingsSchema.prefault({}),
    advanced: advancedSettingsSchema.prefault({}),
  })
  .meta({ id: 'Settings' });
export type Settings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z
  .object({
    runtime: runtimeSettingsSchema.partial().optional(),
    advanced: advancedSettingsSchema.partial().optional(),
  })
  .strict()
  .meta({ id: 'SettingsPatch' });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}
