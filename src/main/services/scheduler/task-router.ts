import { AppError } from '../../../shared/errors';
import type { AuditLog } from '../audit/audit-log';
import type { GroupsService } from '../groups/groups-service';
import type { RouteResult, RoutedTask, TaskRouter } from '../sessions/message-router';
import type { SchedulerService } from './scheduler-service';

/**
 * Task files from agents (`ipc/tasks/`): `schedule_task` creates a schedule for the sender's
 * group; `pause_task`, `resume_task`, `update_task` and `cancel_task` act on a schedule by its
 * id — only the sender's own, unless the sender is the main group. The IPC watcher has already
 * checked the group named in the file; this checks the schedule the id points at.
 */
export class SchedulerTaskRouter implements TaskRouter {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly groups: GroupsService,
    private readonly audit: AuditLog,
  ) {}

  async handle(routed: RoutedTask): Promise<RouteResult> {
    const task = routed.task as Record<string, unknown> & { type: string };
    const by = `agent:${routed.group.name}`;
    try {
      switch (task.type) {
        case 'schedule_task': {
          const spec = (task.schedule ?? {}) as { type?: unknown; value?: unknown };
          const created = await this.scheduler.create(
            {
              name: String(task.name ?? String(task.prompt ?? '').slice(0, 60) ?? 'Agent task'),
              group: routed.group.name,
              prompt: String(task.prompt ?? ''),
              schedule: { type: spec.type as 'cron', value: String(spec.value ?? '') },
              contextMode: task.contextMode === 'isolated' ? 'isolated' : 'group',
            },
            by,
          );
          return {
            status: 'delivered',
            detail: `Scheduled "${created.name}" (${created.id}); next run ${created.nextRun ?? 'none'}.`,
          };
        }
        case 'pause_task':
        case 'resume_task':
        case 'update_task':
        case 'cancel_task': {
          const id = String(task.taskId ?? '');
          const schedule = this.scheduler.get(id);
          if (!routed.group.isMain && schedule.group !== routed.group.name) {
            const reason = `Group "${routed.group.name}" may only manage its own schedules, not "${schedule.name}" of group "${schedule.group}".`;
            this.audit.record({
              severity: 'violation',
              category: 'ipc',
              group: routed.group.name,
              message: `Blocked: ${reason}`,
              details: {
                session: routed.session,
                type: task.type,
                taskId: id,
                targetGroup: schedule.group,
              },
            });
            return { status: 'kept', detail: `Refused: ${reason}` };
          }
          if (task.type === 'cancel_task') {
            await this.scheduler.delete(schedule.id);
            return { status: 'delivered', detail: `Cancelled "${schedule.name}".` };
          }
          if (task.type === 'update_task') {
            const updated = await this.scheduler.update({
              id: schedule.id,
              ...(typeof task.prompt === 'string' ? { prompt: task.prompt } : {}),
              ...(typeof task.name === 'string' ? { name: task.name } : {}),
              ...(task.schedule
                ? { schedule: task.schedule as { type: 'cron'; value: string } }
                : {}),
            });
            return { status: 'delivered', detail: `Updated "${updated.name}".` };
          }
          const changed = await this.scheduler.setEnabled(schedule.id, task.type === 'resume_task');
          return {
            status: 'delivered',
            detail: `${changed.enabled ? 'Resumed' : 'Paused'} "${changed.name}".`,
          };
        }
        case 'register_group': {
          // Main-only: the IPC watcher refused it from any other group already.
          const group = await this.groups.create({
            name: String(task.name ?? ''),
            ...(Array.isArray(task.chatJids) ? { chatJids: task.chatJids.map(String) } : {}),
            ...(typeof task.chatJid === 'string' ? { chatJids: [task.chatJid] } : {}),
          });
          return { status: 'delivered', detail: `Registered group "${group.name}".` };
        }
        default:
          return {
            status: 'kept',
            detail: `"${task.type}" is not a scheduler task; kept in the session.`,
          };
      }
    } catch (error) {
      // A bad request from the agent is its answer, not a reason to retry.
      if (error instanceof AppError) return { status: 'kept', detail: `Refused: ${error.message}` };
      throw error;
    }
  }
}
