import { z } from 'zod';
import { defineOperation } from './define';
import { appInfoSchema } from '../schemas/app';
import { runtimeStatusSchema } from '../schemas/runtime';
import { settingsSchema } from '../schemas/settings';

/** An operation that takes no input. */
export const empty = z.object({}).strict();

/**
 * What the app answers while it is still starting: its info, the runtime's status ("Detecting…"
 * at first) and the settings. The API serves these from its first moment; every other
 * operation's schemas load after the first answer (core-operations.ts, operations.ts).
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
  'settings.get': defineOperation({
    method: 'GET',
    path: '/api/v1/settings',
    tag: 'settings',
    summary: 'All settings',
    input: empty,
    output: settingsSchema,
  }),
} as const;
