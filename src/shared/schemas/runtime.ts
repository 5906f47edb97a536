import { z } from 'zod';

export const backendSchema = z.enum(['apple_container', 'docker']);
export type Backend = z.infer<typeof backendSchema>;

/** Why a candidate runtime could not be used; each has its own remedy in the guide. */
export const checkStatusSchema = z.enum([
  'ok',
  'not_installed',
  'not_running',
  'permission_denied',
  'too_old',
  /** Answers ping, but real commands (listing containers) fail: the guide's "commands fail". */
  'commands_fail',
  'not_applicable',
  'error',
]);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

export const runtimeCheckSchema = z.object({
  backend: backendSchema,
  /** What was probed: a socket, a pipe, a TCP address or a CLI. */
  endpoint: z.string(),
  /** A human name for the candidate: "Docker (default socket)", "Podman", "Apple Container". */
  label: z.string(),
  status: checkStatusSchema,
  message: z.string(),
  /** Steps or commands that fix this cause on this OS, in order. */
  fix: z.array(z.string()),
  version: z.string().nullable(),
  durationMs: z.number(),
});
export type RuntimeCheck = z.infer<typeof runtimeCheckSchema>;

export const networkingSchema = z.object({
  /** The address a container uses to reach the host (the credential proxy listens there). */
  hostGateway: z.string().nullable(),
  extraRunArgs: z.array(z.string()),
  /** Where hostGateway came from, so a wrong value can be traced. */
  source: z.enum([
    'settings',
    'apple_container',
    'docker_desktop',
    'docker0',
    'bridge_network',
    'podman',
    'host_network',
    'unknown',
  ]),
});

export const runtimeStatusSchema = z
  .object({
    available: z.boolean(),
    backend: backendSchema.nullable(),
    /** "Docker Engine", "Docker Desktop", "Podman", "Colima", "OrbStack", "Apple Container". */
    product: z.string().nullable(),
    version: z.string().nullable(),
    apiVersion: z.string().nullable(),
    endpoint: z.string().nullable(),
    networking: networkingSchema,
    /** Free space where the engine stores images, when that folder is on this host. */
    disk: z
      .object({ path: z.string(), freeBytes: z.number(), totalBytes: z.number(), low: z.boolean() })
      .nullable(),
    message: z.string(),
    checks: z.array(runtimeCheckSchema),
    checkedAt: z.string(),
    /** A Docker-compatible engine running as a user (rootless Podman or Docker). */
    rootless: z.boolean().optional(),
  })
  .meta({ id: 'RuntimeStatus' });
export type RuntimeStatus = z.infer<typeof runtimeStatusSchema>;

/** What Settings > Container shows for the runtime: the guide's exact words. */
export function runtimeDisplayName(status: Pick<RuntimeStatus, 'available' | 'backend'>): string {
  if (!status.available || !status.backend) return 'Not available';
  return status.backend === 'apple_container' ? 'Apple Container' : 'Docker';
}
