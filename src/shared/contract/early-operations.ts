import { z } from 'zod';
import { defineOperation } from './define';
import { appInfoSchema } from '../schemas/app';
import { runtimeStatusSchema } from '../schemas/runtime';

/** An operation that takes no input. */
export const empty = z.object({}).strict();

/**
 * What the app answers from its first moment: its info and the runtime's status ("Detecting…"
 * at first). Every other operation's schemas load after the first answer (core-operations.ts,
 * operations.ts).
 */
export const earlyOperations = {
  'app.info': defineOperation({
    method: 'GET',
    path: '/api/v1/app',
    tag: 'app',
    summary: 'Version, mode, data folder and what this host can do',
    input: empty,
    output: appInfoSchema,
  }),
  'runtime.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/runtime',
    tag: 'container',
    summary: 'The container runtime in use, its version, networking and every check made',
    input: empty,
    output: runtimeStatusSchema,
  }),
} as const;
