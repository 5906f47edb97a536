import { z } from 'zod';
import { defineOperation } from './define';
import { earlyOperations, empty } from './early-operations';
import { appStatusSchema, appWarningSchema } from '../schemas/app';
import { diagnosticsSchema } from '../schemas/diagnostics';
import { buildRequestSchema, imageStatusSchema } from '../schemas/image';
import { auditQueryResultSchema, auditQuerySchema } from '../schemas/audit';
import { logEntrySchema, LOGS_MAX_LAST } from '../schemas/logs';
import {
  mountPolicyUpdateSchema,
  mountRequestSchema,
  mountSecurityViewSchema,
  mountVerdictSchema,
} from '../schemas/mounts';
import {
  createMappingSchema,
  mappingTestResultSchema,
  proxyCheckResultSchema,
  proxyMappingViewSchema,
  proxySettingsPatchSchema,
  proxyStatusSchema,
  proxyViewSchema,
  updateMappingSchema,
} from '../schemas/proxy';
import { runtimeStatusSchema } from '../schemas/runtime';
import { settingsPatchSchema, settingsSchema } from '../schemas/settings';
const okSchema = z.object({ ok: z.literal(true) });

/**
 * The operations of the app's core: its status, settings, runtime, mounts, proxy, image, audit
 * log and logs (the early ones first). The domains' operations (sessions, squads, schedules,
 * channels, container audit) are in their own files; operations.ts has them all.
 */
export const coreOperations = {
  ...earlyOperations,
  'app.status': defineOperation({
    method: 'GET',
    path: '/api/v1/status',
    tag: 'app',
    summary: 'Runtime and service summary (what `aigo status` prints)',
    input: empty,
    output: appStatusSchema,
  }),
  'app.diagnostics': defineOperation({
    method: 'GET',
    path: '/api/v1/diagnostics',
    tag: 'app',
    summary: 'Every problem the app can see, with its fix (what `aigo doctor` prints)',
    input: empty,
    output: diagnosticsSchema,
  }),
  'app.dismissWarning': defineOperation({
    method: 'POST',
    path: '/api/v1/app/warnings/{id}/dismiss',
    tag: 'app',
    summary: 'Hide a warning once the user has read it',
    input: z.object({ id: z.string().min(1).max(100) }),
    output: z.object({ warnings: z.array(appWarningSchema) }),
  }),
  'app.openDataDir': defineOperation({
    method: 'POST',
    path: '/api/v1/app/open-data-dir',
    tag: 'app',
    summary: "Open the data folder in the system's file manager",
    input: empty,
    output: okSchema,
  }),
  'app.pickFolder': defineOperation({
    method: 'POST',
    path: '/api/v1/app/pick-folder',
    tag: 'app',
    summary: "Let the user choose a folder with the system's folder picker (desktop app only)",
    input: empty,
    output: z.object({ path: z.string().nullable() }),
  }),
  'mounts.getPolicy': defineOperation({
    method: 'GET',
    path: '/api/v1/container/mount-security',
    tag: 'container',
    summary: 'The mount allowlist: allowed roots, blocked patterns, non-main read-only',
    input: empty,
    output: mountSecurityViewSchema,
  }),
  'mounts.updatePolicy': defineOperation({
    method: 'PUT',
    path: '/api/v1/container/mount-security',
    tag: 'container',
    summary: 'Replace the mount allowlist; a new broad root needs confirmBroad: true',
    input: mountPolicyUpdateSchema,
    output: mountSecurityViewSchema,
  }),
  'mounts.validate': defineOperation({
    method: 'POST',
    path: '/api/v1/container/mounts/validate',
    tag: 'container',
    summary:
      'Check whether a host path may be mounted, where, read-only or not, and what is hidden',
    input: mountRequestSchema,
    output: mountVerdictSchema,
  }),
  'proxy.status': defineOperation({
    method: 'GET',
    path: '/api/v1/container/credential-proxy/status',
    tag: 'container',
    summary: 'Is the credential proxy running, where, with how many mappings, and how it is doing',
    input: empty,
    output: proxyStatusSchema,
  }),
  'proxy.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/credential-proxy',
    tag: 'container',
    summary: 'Credential proxy settings, mappings (keys masked) and presets',
    input: empty,
    output: proxyViewSchema,
  }),
  'proxy.updateSettings': defineOperation({
    method: 'PATCH',
    path: '/api/v1/container/credential-proxy',
    tag: 'container',
    summary: 'Change the port, bind address, strict mode, upstream timeout or the on/off toggle',
    input: proxySettingsPatchSchema,
    output: proxyViewSchema,
  }),
  'proxy.start': defineOperation({
    method: 'POST',
    path: '/api/v1/container/credential-proxy/start',
    tag: 'container',
    summary: 'Turn the credential proxy on (remembered)',
    input: empty,
    output: proxyStatusSchema,
  }),
  'proxy.stop': defineOperation({
    method: 'POST',
    path: '/api/v1/container/credential-proxy/stop',
    tag: 'container',
    summary: 'Turn the credential proxy off (remembered)',
    input: empty,
    output: proxyStatusSchema,
  }),
  'proxy.createMapping': defineOperation({
    method: 'POST',
    path: '/api/v1/container/credential-proxy/mappings',
    tag: 'container',
    summary:
      'Add a credential mapping: upstream URL, placeholder, how to send the key, and the real key',
    input: createMappingSchema,
    output: proxyMappingViewSchema,
    successStatus: 201,
  }),
  'proxy.updateMapping': defineOperation({
    method: 'PATCH',
    path: '/api/v1/container/credential-proxy/mappings/{id}',
    tag: 'container',
    summary: 'Change a mapping; apiKey replaces the key (it can never be read back)',
    input: updateMappingSchema,
    output: proxyMappingViewSchema,
  }),
  'proxy.deleteMapping': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/credential-proxy/mappings/{id}',
    tag: 'container',
    summary: 'Remove a mapping and its key',
    input: z.object({ id: z.string().min(1) }),
    output: okSchema,
  }),
  'proxy.testMapping': defineOperation({
    method: 'POST',
    path: '/api/v1/container/credential-proxy/mappings/{id}/test',
    tag: 'container',
    summary: 'Send a cheap authenticated request upstream: reachable, key rejected, or unreachable',
    input: z.object({ id: z.string().min(1) }),
    output: mappingTestResultSchema,
  }),
  'image.status': defineOperation({
    method: 'GET',
    path: '/api/v1/container/image/status',
    tag: 'container',
    summary:
      'The agent runner image: state, size, version, build progress, output (log tail), error and hint',
    input: empty,
    output: imageStatusSchema,
  }),
  'image.build': defineOperation({
    method: 'POST',
    path: '/api/v1/container/image/build',
    tag: 'container',
    summary: 'Rebuild the agent runner image (joins a build already running); follow image/status',
    input: buildRequestSchema,
    output: imageStatusSchema,
    successStatus: 202,
  }),
  'image.cancel': defineOperation({
    method: 'POST',
    path: '/api/v1/container/image/cancel',
    tag: 'container',
    summary: 'Cancel the running build and remove what it left behind',
    input: empty,
    output: imageStatusSchema,
  }),
  'proxy.checkFromContainer': defineOperation({
    method: 'POST',
    path: '/api/v1/container/credential-proxy/check',
    tag: 'container',
    summary: 'Run a container made like an agent container and check that it reaches the proxy',
    input: empty,
    output: proxyCheckResultSchema,
  }),
  'runtime.recheck': defineOperation({
    method: 'POST',
    path: '/api/v1/container/runtime/recheck',
    tag: 'container',
    summary: 'Detect the container runtime again now',
    input: empty,
    output: runtimeStatusSchema,
  }),
  'settings.get': defineOperation({
    method: 'GET',
    path: '/api/v1/settings',
    tag: 'settings',
    summary: 'All settings',
    input: empty,
    output: settingsSchema,
  }),
  'settings.update': defineOperation({
    method: 'PATCH',
    path: '/api/v1/settings',
    tag: 'settings',
    summary: 'Change some settings; each section is merged field by field',
    input: settingsPatchSchema,
    output: settingsSchema,
  }),
  'audit.query': defineOperation({
    method: 'GET',
    path: '/api/v1/container/audit-log',
    tag: 'container',
    summary: 'Security-relevant events, newest first',
    input: auditQuerySchema,
    output: auditQueryResultSchema,
  }),
  'logs.tail': defineOperation({
    method: 'GET',
    path: '/api/v1/logs',
    tag: 'app',
    summary: 'The last entries of the application log, oldest first',
    input: z.object({
      last: z.coerce.number().int().min(1).max(LOGS_MAX_LAST).default(200),
    }),
    output: z.object({ entries: z.array(logEntrySchema) }),
  }),
} as const;
