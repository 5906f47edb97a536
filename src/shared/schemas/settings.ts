import { z } from 'zod';

/**
 * The settings file's schema. Every field has a default so an empty or partial file loads;
 * each section is patched independently through `settings.update`.
 */
export const runtimeSettingsSchema = z.object({
  /** `auto` prefers Apple Container on macOS 15+ Apple Silicon when it runs, else Docker. */
  preferred: z.enum(['auto', 'docker', 'apple_container']).default('auto'),
  /** The only Docker endpoint to use (unix:///path, tcp://host:port, ssh://user@host, npipe://…). */
  dockerHost: z.string().trim().max(500).nullable().default(null),
  /** TLS with the engine's certificate verified, for tcp:// endpoints (DOCKER_TLS_VERIFY=1). */
  dockerTlsVerify: z.boolean().default(false),
  /** A folder with ca.pem, cert.pem and key.pem (what DOCKER_CERT_PATH names). */
  dockerCertPath: z.string().trim().max(1000).nullable().default(null),
  /** A private key for ssh:// endpoints; else the SSH agent and ~/.ssh/id_* are offered. */
  dockerSshIdentityFile: z.string().trim().max(1000).nullable().default(null),
  /** Overrides the detected host-gateway address containers use to reach the app. */
  hostGatewayOverride: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:\-[\]]+$/, 'must be a host name or an IP address')
    .max(253)
    .nullable()
    .default(null),
  /**
   * Where agent containers (and image builds and the proxy check) get their network: `auto`, an
   * isolated bridge of aigo's own where the engine has bridges, else the host's; `host`, always
   * the host's (for engines whose bridges cannot reach this computer — agents then share its
   * localhost, and aigo's API asks for its token even for reads).
   */
  agentNetwork: z.enum(['auto', 'host']).default('auto'),
});

/** Docker image reference: `[registry/]name[:tag][@digest]`. */
export const imageRefSchema = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .regex(
    /^[a-z0-9]([a-z0-9._/:@-]*[a-z0-9])?$/i,
    'an image reference looks like [registry/]name[:tag][@digest]',
  )
  .refine((ref) => !ref.startsWith('-'), 'an image reference cannot start with "-"');

export const imageSettingsSchema = z.object({
  baseImage: imageRefSchema.default('node:22-slim'),
  /** Install git, curl, python3, ripgrep and jq into the image (needs a package mirror). */
  installTools: z.boolean().default(true),
  /** Report a build as hanging when it prints nothing for this long. */
  hangAfterMinutes: z.number().int().min(1).max(120).default(10),
});

export const advancedSettingsSchema = z.object({
  debugLogging: z.boolean().default(false),
});

/** How much audit history is kept. The live file is never deleted, only rotated ones. */
export const auditSettingsSchema = z.object({
  /** All audit files together stay under this size; the oldest rotated files go first. */
  retentionMaxMb: z.number().int().min(10).max(100_000).default(200),
  /** Rotated audit files whose newest entry is older than this are deleted. */
  retentionDays: z.number().int().min(1).max(3_650).default(90),
});

export const sessionSettingsSchema = z.object({
  /** Agent containers running at once, across all groups; more wait in a fair queue. */
  maxConcurrent: z.number().int().min(1).max(32).default(3),
  /**
   * "Pause all agents": running agents are asked to stop, and queued or new sessions (schedules
   * included) wait until resumed. Kept across restarts: a pause holds until the user lifts it.
   */
  paused: z.boolean().default(false),
});

/** Squad mode's defaults (a squad may ask for others within the bounds). */
export const squadSettingsSchema = z.object({
  /** Tasks of one squad running at once (the global session limit applies too). */
  maxConcurrent: z.number().int().min(1).max(16).default(3),
  /** Tasks a plan may have. */
  maxTasks: z.number().int().min(1).max(50).default(20),
  /** One task's time limit. */
  taskTimeoutSecs: z.number().int().min(10).max(86_400).default(300),
  /** The whole squad's time limit, from when its plan starts running. */
  executionTimeoutSecs: z.number().int().min(30).max(604_800).default(1800),
  /**
   * aigo stopped while tasks ran (their containers died with it): `fail` marks them failed and
   * skips their dependents; `rerun` starts them again.
   */
  onRestart: z.enum(['fail', 'rerun']).default('fail'),
});

/** The desktop app's own behaviour (the tray, the window); ignored by `aigo serve`. */
export const desktopSettingsSchema = z.object({
  /** Closing the window quits aigo instead of keeping it in the tray. */
  quitOnWindowClose: z.boolean().default(false),
  /** Start aigo (in the tray) when the user logs in. */
  startAtLogin: z.boolean().default(false),
});

/** Native notifications for what the user must act on, one switch per kind. */
export const notificationSettingsSchema = z.object({
  sessionFinished: z.boolean().default(true),
  sessionFailed: z.boolean().default(true),
  securityViolation: z.boolean().default(true),
  imageOutdated: z.boolean().default(true),
  channelDisconnected: z.boolean().default(true),
});

export const securitySettingsSchema = z.object({
  /** How often running agent containers are compared with how they were started. */
  auditIntervalMinutes: z.number().int().min(1).max(1440).default(5),
  /** Stop a container of this aigo that fails the audit (else it is kept and flagged). */
  stopNonCompliant: z.boolean().default(true),
});

export const settingsSchema = z
  .object({
    runtime: runtimeSettingsSchema.prefault({}),
    image: imageSettingsSchema.prefault({}),
    advanced: advancedSettingsSchema.prefault({}),
    audit: auditSettingsSchema.prefault({}),
    sessions: sessionSettingsSchema.prefault({}),
    squads: squadSettingsSchema.prefault({}),
    security: securitySettingsSchema.prefault({}),
    desktop: desktopSettingsSchema.prefault({}),
    notifications: notificationSettingsSchema.prefault({}),
  })
  .meta({ id: 'Settings' });
export type Settings = z.infer<typeof settingsSchema>;

/**
 * A section for patching: every field optional and without its default, so a patch that names
 * one field leaves the others as they are (zod would otherwise fill in defaults for the rest).
 */
type Undefaulted<F> = F extends z.ZodDefault<infer Inner> ? Inner : F;
type PatchShape<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<Undefaulted<T[K]>> };

function patchOf<T extends z.ZodRawShape>(section: z.ZodObject<T>): z.ZodObject<PatchShape<T>> {
  const shape = Object.fromEntries(
    Object.entries(section.shape).map(([key, field]) => [
      key,
      ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional(),
    ]),
  );
  return z.object(shape).strict() as unknown as z.ZodObject<PatchShape<T>>;
}

export const settingsPatchSchema = z
  .object({
    runtime: patchOf(runtimeSettingsSchema).optional(),
    image: patchOf(imageSettingsSchema).optional(),
    advanced: patchOf(advancedSettingsSchema).optional(),
    audit: patchOf(auditSettingsSchema).optional(),
    sessions: patchOf(sessionSettingsSchema).optional(),
    squads: patchOf(squadSettingsSchema).optional(),
    security: patchOf(securitySettingsSchema).optional(),
    desktop: patchOf(desktopSettingsSchema).optional(),
    notifications: patchOf(notificationSettingsSchema).optional(),
  })
  .strict()
  .meta({ id: 'SettingsPatch' });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}
