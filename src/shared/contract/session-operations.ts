import { z } from 'zod';
import { defineOperation } from './define';
import { createGroupSchema, groupSchema, updateGroupSchema } from '../schemas/groups';
import {
  createSessionSchema,
  ipcDirectoriesResultSchema,
  ipcDirectoriesSchema,
  listSessionsSchema,
  runQuerySchema,
  runRecordSchema,
  sessionDetailSchema,
  sessionIdSchema,
  sessionSchema,
} from '../schemas/sessions';

const byId = z.object({ id: z.string().min(1).max(100) });

/** Groups, agent sessions and their run history. */
export const sessionOperations = {
  'groups.list': defineOperation({
    method: 'GET',
    path: '/api/v1/container/namespaces',
    tag: 'sessions',
    summary: 'Every group (namespace), main first',
    input: z.object({}),
    output: z.object({ groups: z.array(groupSchema) }),
  }),
  'groups.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/namespaces/{id}',
    tag: 'sessions',
    summary: 'One group, by id or name',
    input: byId,
    output: groupSchema,
  }),
  'groups.create': defineOperation({
    method: 'POST',
    path: '/api/v1/container/namespaces',
    tag: 'sessions',
    summary: 'Add a group; its workspace and mounts are checked by mount security',
    input: createGroupSchema,
    output: groupSchema,
    successStatus: 201,
  }),
  'groups.update': defineOperation({
    method: 'PATCH',
    path: '/api/v1/container/namespaces/{id}',
    tag: 'sessions',
    summary: 'Change a group; fields left out stay as they are',
    input: updateGroupSchema,
    output: groupSchema,
  }),
  'groups.delete': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/namespaces/{id}',
    tag: 'sessions',
    summary: 'Remove a group (refused for main, and while one of its sessions runs)',
    input: byId,
    output: z.object({ ok: z.literal(true) }),
  }),
  'ipc.directories': defineOperation({
    method: 'POST',
    path: '/api/v1/container/ipc/directories',
    tag: 'sessions',
    summary: "Create a session's IPC folders (input, messages, tasks) if missing; idempotent",
    input: ipcDirectoriesSchema,
    output: ipcDirectoriesResultSchema,
  }),
  'sessions.create': defineOperation({
    method: 'POST',
    path: '/api/v1/container/sessions',
    tag: 'sessions',
    summary: 'Start a Cowork session: an agent in a container works on the prompt',
    input: createSessionSchema,
    output: sessionSchema,
    successStatus: 201,
  }),
  'sessions.list': defineOperation({
    method: 'GET',
    path: '/api/v1/container/sessions',
    tag: 'sessions',
    summary: 'Sessions, newest first, with state, queue position and progress',
    input: listSessionsSchema,
    output: z.object({ sessions: z.array(sessionSchema) }),
  }),
  'sessions.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/sessions/{id}',
    tag: 'sessions',
    summary: 'One session with its transcript so far',
    input: z.object({ id: sessionIdSchema }),
    output: sessionDetailSchema,
  }),
  'sessions.message': defineOperation({
    method: 'POST',
    path: '/api/v1/container/sessions/{id}/messages',
    tag: 'sessions',
    summary:
      'Steer a running session (the agent reads it before its next step), or resume an ended one',
    input: z.object({ id: sessionIdSchema, text: z.string().trim().min(1).max(100_000) }),
    output: sessionSchema,
    successStatus: 202,
  }),
  'sessions.stop': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/sessions/{id}',
    tag: 'sessions',
    summary: 'Close a session: the agent finishes its step, then the container stops',
    input: z.object({ id: sessionIdSchema }),
    output: sessionSchema,
    successStatus: 202,
  }),
  'runs.list': defineOperation({
    method: 'GET',
    path: '/api/v1/container/runs',
    tag: 'sessions',
    summary: 'Container run history, newest first (before=<run id> pages back)',
    input: runQuerySchema,
    output: z.object({ runs: z.array(runRecordSchema), truncated: z.boolean() }),
  }),
  'runs.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/runs/{id}',
    tag: 'sessions',
    summary: 'One container run',
    input: byId,
    output: runRecordSchema,
  }),
} as const;

export type SessionOperationName = keyof typeof sessionOperations;
