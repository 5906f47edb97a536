import { z } from 'zod';
import { defineOperation } from './define';
import {
  createScheduleSchema,
  scheduleRunLogSchema,
  scheduleSchema,
  schedulePreviewSchema,
  scheduleSpecSchema,
  updateScheduleSchema,
} from '../schemas/schedules';

const byId = z.object({ id: z.string().min(1).max(100) });

/** Schedules that start agent sessions, and their run logs. */
export const scheduleOperations = {
  'schedules.list': defineOperation({
    method: 'GET',
    path: '/api/v1/container/schedules',
    tag: 'schedules',
    summary: 'Every schedule, with enabled, nextRun, lastRun and lastStatus',
    input: z.object({}),
    output: z.object({ schedules: z.array(scheduleSchema) }),
  }),
  'schedules.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/schedules/{id}',
    tag: 'schedules',
    summary: 'One schedule, by id or name',
    input: byId,
    output: scheduleSchema,
  }),
  'schedules.create': defineOperation({
    method: 'POST',
    path: '/api/v1/container/schedules',
    tag: 'schedules',
    summary:
      'Add a schedule: cron (5 fields, local time or timezone), interval (ms) or once (ISO time)',
    input: createScheduleSchema,
    output: scheduleSchema,
    successStatus: 201,
  }),
  'schedules.update': defineOperation({
    method: 'PATCH',
    path: '/api/v1/container/schedules/{id}',
    tag: 'schedules',
    summary: 'Change a schedule; fields left out stay as they are',
    input: updateScheduleSchema,
    output: scheduleSchema,
  }),
  'schedules.delete': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/schedules/{id}',
    tag: 'schedules',
    summary: 'Remove a schedule and its run log',
    input: byId,
    output: z.object({ ok: z.literal(true) }),
  }),
  'schedules.run': defineOperation({
    method: 'POST',
    path: '/api/v1/container/schedules/{id}/run',
    tag: 'schedules',
    summary: 'Run a schedule now (its regular next run stays where it was)',
    input: byId,
    output: scheduleRunLogSchema,
    successStatus: 202,
  }),
  'schedules.pause': defineOperation({
    method: 'POST',
    path: '/api/v1/container/schedules/{id}/pause',
    tag: 'schedules',
    summary: 'Stop a schedule from firing (enabled: false)',
    input: byId,
    output: scheduleSchema,
  }),
  'schedules.resume': defineOperation({
    method: 'POST',
    path: '/api/v1/container/schedules/{id}/resume',
    tag: 'schedules',
    summary: 'Let a paused schedule fire again; its next run is computed from now',
    input: byId,
    output: scheduleSchema,
  }),
  'schedules.logs': defineOperation({
    method: 'GET',
    path: '/api/v1/container/schedules/{id}/logs',
    tag: 'schedules',
    summary: "A schedule's run log, newest first (a run under way first of all)",
    input: byId.extend({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    output: z.object({ logs: z.array(scheduleRunLogSchema) }),
  }),
  'schedules.preview': defineOperation({
    method: 'POST',
    path: '/api/v1/container/schedules/preview',
    tag: 'schedules',
    summary: 'Describe a schedule in words and list its next 5 fire times (changes nothing)',
    input: z.object({
      schedule: scheduleSpecSchema,
      timezone: z.string().max(100).nullable().default(null),
    }),
    output: schedulePreviewSchema,
  }),
} as const;

export type ScheduleOperationName = keyof typeof scheduleOperations;
