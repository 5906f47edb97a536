import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  eventNames,
  events,
  operationNames,
  operations,
  pathParams,
  requiresToken,
} from '../../src/shared/contract';
import { buildOpenApiDocument } from '../../src/main/http/openapi';
import { errorCodes } from '../../src/shared/errors';

describe('the contract', () => {
  it('gives every operation a unique method and path', () => {
    const keys = operationNames.map((n) => `${operations[n].method} ${operations[n].path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('declares every path parameter in the operation input', () => {
    for (const name of operationNames) {
      const op = operations[name];
      const shape = (op.input as unknown as z.ZodObject).shape as Record<string, unknown>;
      for (const param of pathParams(op.path))
        expect(shape, `${name} lacks ${param}`).toHaveProperty(param);
    }
  });

  it('keeps the guide diagnostics readable without a token and every change behind one', () => {
    expect(requiresToken(operations['runtime.get'])).toBe(false);
    expect(requiresToken(operations['audit.query'])).toBe(false);
    for (const name of operationNames) {
      if (operations[name].method !== 'GET')
        expect(requiresToken(operations[name]), name).toBe(true);
    }
  });

  it('serves the guide URLs', () => {
    expect(operations['runtime.get'].path).toBe('/api/v1/container/runtime');
    expect(operations['audit.query'].path).toBe('/api/v1/container/audit-log');
  });

  it('generates an OpenAPI document with every operation and the error envelope', () => {
    const doc = buildOpenApiDocument('1.2.3', 'http://127.0.0.1:1') as {
      paths: Record<
        string,
        Record<string, { operationId: string; parameters: { name: string; in: string }[] }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const name of operationNames) expect(ids).toContain(name);
    const audit = doc.paths['/api/v1/container/audit-log']?.get;
    expect(audit?.parameters.map((p) => p.name).sort()).toEqual([
      'before',
      'category',
      'group',
      'limit',
      'severity',
      'since',
    ]);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('names an HTTP status for every error code and a schema for every event', () => {
    for (const status of Object.values(errorCodes)) expect(status).toBeGreaterThanOrEqual(400);
    for (const name of eventNames) expect(events[name]).toBeInstanceOf(z.ZodType);
  });
});
