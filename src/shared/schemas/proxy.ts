import { z } from 'zod';

/** What the guide tells users to look for inside a container. */
export const PROXY_PLACEHOLDER = 'CREDENTIAL_PROXY_PLACEHOLDER';
export const PROXY_DEFAULT_PORT = 3001;
export const PROXY_HOST_ALIAS = 'host-gateway';
export const PROXY_SESSION_HEADER = 'x-aigo-session';

export const proxyAuthSchema = z.discriminatedUnion('type', [
  /** No credential at all: local model servers (Ollama, LM Studio) take none. */
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('x-api-key') }),
  z.object({ type: z.literal('bearer') }),
  z.object({
    type: z.literal('header'),
    header: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name uses letters, digits and dashes'),
  }),
]);
export type ProxyAuth = z.infer<typeof proxyAuthSchema>;

/** Which API the upstream speaks: decides the health-check request. */
export const providerKindSchema = z.enum(['anthropic', 'openai', 'custom']);

const upstreamUrlSchema = z
  .string()
  .trim()
  .url('the upstream URL must be a full URL such as https://api.anthropic.com')
  .refine((u) => /^https?:\/\//.test(u), 'the upstream URL must start with http:// or https://');

const placeholderSchema = z
  .string()
  .trim()
  .min(8, 'a placeholder has at least 8 characters')
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'a placeholder uses letters, digits, ".", "_" and "-"');

export const proxyMappingSchema = z.object({
  id: z.string(),
  name: z.string().trim().min(1).max(80),
  kind: providerKindSchema.default('custom'),
  upstreamUrl: upstreamUrlSchema,
  placeholder: placeholderSchema.default(PROXY_PLACEHOLDER),
  auth: proxyAuthSchema.default({ type: 'x-api-key' }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProxyMapping = z.infer<typeof proxyMappingSchema>;

export const proxyConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    port: z.number().int().min(0).max(65535).default(PROXY_DEFAULT_PORT),
    /** null: where containers reach the host (host gateway if local, else loopback). */
    bindAddress: z.string().trim().min(1).max(100).nullable().default(null),
    /** Refuse requests without a live per-container session token. */
    strict: z.boolean().default(true),
    upstreamTimeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000),
    mappings: z.array(proxyMappingSchema).max(50).default([]),
  })
  .meta({ id: 'ProxyConfig' });
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

/** A mapping as clients see it: never the key, only whether one is set and its last 4. */
export const proxyMappingViewSchema = proxyMappingSchema.extend({
  hasKey: z.boolean(),
  keyLast4: z.string().nullable(),
  lastStatus: z.number().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ProxyMappingView = z.infer<typeof proxyMappingViewSchema>;

export const proxyStatusSchema = z
  .object({
    running: z.boolean(),
    enabled: z.boolean(),
    /** Where it listens; when not running, where it would listen once started. */
    port: z.number().nullable(),
    bindAddress: z.string().nullable(),
    /** `environment` when AIGO_PROXY_PORT overrides the port setting. */
    portSource: z.enum(['settings', 'environment']).optional(),
    mappingCount: z.number(),
    strict: z.boolean(),
    requestsTotal: z.number(),
    requestsFailed: z.number(),
    lastError: z.string().nullable(),
    /** What a container gets: ANTHROPIC_BASE_URL and the placeholder key. */
    containerBaseUrl: z.string(),
    mappings: z.array(
      proxyMappingViewSchema.pick({
        id: true,
        name: true,
        upstreamUrl: true,
        lastStatus: true,
        lastUsedAt: true,
      }),
    ),
  })
  .meta({ id: 'ProxyStatus' });
export type ProxyStatus = z.infer<typeof proxyStatusSchema>;

export const proxyViewSchema = z
  .object({
    status: proxyStatusSchema,
    config: proxyConfigSchema.omit({ mappings: true }),
    mappings: z.array(proxyMappingViewSchema),
    presets: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: providerKindSchema,
        upstreamUrl: z.string(),
        auth: proxyAuthSchema,
        /** What to enter as the key for this provider, shown in the key field. */
        keyHint: z.string(),
      }),
    ),
  })
  .meta({ id: 'ProxyView' });
export type ProxyView = z.infer<typeof proxyViewSchema>;

export const apiKeySchema = z
  .string()
  .trim()
  .min(8, 'the API key looks too short')
  .max(4096)
  .refine(
    (k) => /^[\x21-\x7e]+$/.test(k),
    'the API key may only contain plain visible characters (no spaces, line breaks or typographic dashes; paste it again from the provider)',
  );

export const createMappingSchema = z.object({
  name: z.string().trim().min(1, 'give the mapping a name').max(80),
  kind: providerKindSchema.default('custom'),
  upstreamUrl: upstreamUrlSchema,
  placeholder: placeholderSchema.optional(),
  auth: proxyAuthSchema.default({ type: 'x-api-key' }),
  /** Required unless `auth` is `none`. */
  apiKey: apiKeySchema.optional(),
});

export const updateMappingSchema = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1).max(80).optional(),
  kind: providerKindSchema.optional(),
  upstreamUrl: upstreamUrlSchema.optional(),
  placeholder: placeholderSchema.optional(),
  auth: proxyAuthSchema.optional(),
  /** Replace the key; the current one can never be read back. */
  apiKey: apiKeySchema.optional(),
});

export const proxySettingsPatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    bindAddress: z.string().trim().min(1).max(100).nullable().optional(),
    strict: z.boolean().optional(),
    upstreamTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
  })
  .strict();

export const mappingTestResultSchema = z.object({
  result: z.enum(['reachable', 'key_rejected', 'unreachable', 'error']),
  status: z.number().nullable(),
  message: z.string(),
  latencyMs: z.number(),
  /** The models the upstream lists for this key, when it answers with a list. */
  models: z.array(z.string()).optional(),
});
export type MappingTestResult = z.infer<typeof mappingTestResultSchema>;

export const proxyCheckResultSchema = z
  .object({
    result: z.enum([
      'reachable',
      'unreachable',
      'image_missing',
      'runtime_unavailable',
      /** The engine would not create or start the check container: the message names why. */
      'engine_refused',
      'error',
    ]),
    message: z.string(),
    /** What to do, in the guide's words, when a container cannot reach the proxy. */
    fix: z.array(z.string()),
    latencyMs: z.number(),
  })
  .meta({ id: 'ProxyCheckResult' });
export type ProxyCheckResult = z.infer<typeof proxyCheckResultSchema>;

export const PROXY_PRESETS = [
  {
    id: 'anthropic',
    name: 'Anthropic',
    kind: 'anthropic' as const,
    upstreamUrl: 'https://api.anthropic.com',
    auth: { type: 'x-api-key' as const },
    keyHint: 'sk-ant-… (console.anthropic.com → API keys)',
  },
  {
    id: 'openai',
    name: 'OpenAI-compatible',
    kind: 'openai' as const,
    upstreamUrl: 'https://api.openai.com',
    auth: { type: 'bearer' as const },
    keyHint: "sk-… (your provider's API key)",
  },
  {
    id: 'local',
    name: 'Local model server (Ollama, LM Studio, vLLM)',
    kind: 'openai' as const,
    upstreamUrl: 'http://127.0.0.1:11434',
    auth: { type: 'none' as const },
    // Ollama and LM Studio take no key; vLLM started with --api-key wants one, sent as Bearer.
    keyHint: 'No key needed. A server started with --api-key: choose "Authorization: Bearer"',
  },
];
