import { z } from 'zod';
import {
  operations,
  pathParams,
  requiresToken,
  EVENTS_PATH,
  eventNames,
} from '../../shared/contract';
import { errorEnvelopeSchema, errorCodes } from '../../shared/errors';
import { DIAGNOSTICS_BUNDLE_PATH } from './diagnostics-bundle-route';

type JsonSchema = Record<string, unknown>;

/** The OpenAPI 3.1 document of the local API, generated from the same contract as the routes. */
export function buildOpenApiDocument(version: string, serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, op] of Object.entries(operations)) {
    const inputSchema = z.toJSONSchema(op.input, {
      io: 'input',
      unrepresentable: 'any',
    }) as JsonSchema;
    const properties = (inputSchema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((inputSchema.required as string[] | undefined) ?? []);
    const inPath = new Set(pathParams(op.path));
    const parameters: unknown[] = [...inPath].map((p) => ({
      name: p,
      in: 'path',
      required: true,
      schema: properties[p] ?? { type: 'string' },
    }));
    const bodyProps: Record<string, JsonSchema> = {};
    for (const [prop, schema] of Object.entries(properties)) {
      if (inPath.has(prop)) continue;
      if (op.method === 'GET' || op.method === 'DELETE')
        parameters.push({ name: prop, in: 'query', required: required.has(prop), schema });
      else bodyProps[prop] = schema;
    }
    const operation: Record<string, unknown> = {
      operationId: name,
      summary: op.summary,
      tags: [op.tag],
      parameters,
      responses: {
        [String(op.successStatus ?? 200)]: {
          description: 'Success',
          content: {
            'application/json': {
              schema: z.toJSONSchema(op.output, { io: 'output', unrepresentable: 'any' }),
            },
          },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
    if (requiresToken(op)) operation.security = [{ apiToken: [] }];
    if (Object.keys(bodyProps).length > 0) {
      operation.requestBody = {
        required: false,
        content: {
          'application/json': {
            schema: {
              ...inputSchema,
              properties: bodyProps,
              required: [...required].filter((r) => !inPath.has(r)),
            },
          },
        },
      };
    }
    const path = (paths[op.path] ??= {});
    path[op.method.toLowerCase()] = operation;
  }
  paths[EVENTS_PATH] = {
    get: {
      operationId: 'events',
      summary: `Server-sent events: ${eventNames.join(', ')}`,
      tags: ['app'],
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': {} } },
      },
    },
  };
  paths[DIAGNOSTICS_BUNDLE_PATH] = {
    get: {
      operationId: 'diagnosticsBundle',
      summary:
        'The diagnostics bundle (what `aigo doctor --bundle` saves): a zip of the last 2000 log lines, the last 500 audit entries, the doctor and runtime reports, versions, and the settings, mount policy, proxy mappings, groups and schedules, with every secret removed. Always needs the token.',
      tags: ['app'],
      security: [{ apiToken: [] }],
      responses: {
        '200': {
          description: 'A zip archive, sent as an attachment named aigo-diagnostics-<time>.zip',
          content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'aigo local API',
      version,
      description: `Loopback-only management API. GET routes answer without a token; every other method needs "Authorization: Bearer <DATA_DIR/api-token>". Error codes: ${Object.keys(errorCodes).join(', ')}.`,
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Error: z.toJSONSchema(errorEnvelopeSchema) },
      securitySchemes: { apiToken: { type: 'http', scheme: 'bearer' } },
    },
  };
}
