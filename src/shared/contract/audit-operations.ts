import { z } from 'zod';
import { defineOperation } from './define';
import { containerAuditSchema } from '../schemas/container-audit';

/** The periodic security audit of running agent containers. */
export const containerAuditOperations = {
  'securityAudit.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/security-audit',
    tag: 'security',
    summary: 'The last security audit of running containers: per container, per check',
    input: z.object({}),
    output: containerAuditSchema,
  }),
  'securityAudit.run': defineOperation({
    method: 'POST',
    path: '/api/v1/container/security-audit/run',
    tag: 'security',
    summary: 'Audit every running agent container now',
    input: z.object({}),
    output: containerAuditSchema,
  }),
} as const;

export type ContainerAuditOperationName = keyof typeof containerAuditOperations;
