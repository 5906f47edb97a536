import type { AppWarning } from '../../../shared/schemas/app';
import type { Diagnostic, Diagnostics } from '../../../shared/schemas/diagnostics';
import type { ImageStatus } from '../../../shared/schemas/image';
import type { MountSecurityView } from '../../../shared/schemas/mounts';
import type { ProxyView } from '../../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { IpcProblem } from '../sessions/ipc-problems';
import { formatBytes } from '../../../shared/format-bytes';
import { diagnoseProxy } from './diagnostics-proxy';
import { diagnoseIpc, diagnoseMounts } from './diagnostics-folders';

export interface DiagnosticsInput {
  runtime: RuntimeStatus;
  image: ImageStatus;
  proxy: ProxyView;
  mounts: MountSecurityView;
  warnings: AppWarning[];
  ipc?: IpcProblem[];
  /** Items other domains found (the scheduler's). */
  extra?: Diagnostic[];
}

/**
 * Every problem the troubleshooting guide describes that the app can see for itself, as one
 * checklist with the fix for each: what `aigo doctor` prints and Settings > Health shows.
 */
export function diagnose(input: DiagnosticsInput): Diagnostics {
  const items: Diagnostic[] = [];
  const add = (
    item: Omit<Diagnostic, 'fix' | 'route'> & Partial<Pick<Diagnostic, 'fix' | 'route'>>,
  ) => items.push({ fix: [], route: null, ...item });
  const { runtime, proxy, mounts } = input;

  if (runtime.available) {
    add({
      id: 'runtime',
      area: 'runtime',
      status: 'ok',
      title: `Container runtime: ${runtime.product} ${runtime.version}`,
      detail: `at ${runtime.endpoint}`,
      route: 'container/runtime',
    });
  } else {
    const first = runtime.checks.find((c) => c.status !== 'ok' && c.status !== 'not_applicable');
    add({
      id: 'runtime',
      area: 'runtime',
      status: 'fail',
      title: 'No container runtime',
      detail: runtime.message,
      fix: first?.fix ?? [],
      route: 'container/runtime',
    });
  }
  const gb = formatBytes;
  if (!runtime.disk) {
    add({
      id: 'disk',
      area: 'runtime',
      status: 'info',
      title: runtime.available
        ? 'Free disk space: unknown (the runtime does not tell)'
        : 'Free disk space: unknown until the container runtime is back',
      detail: 'where the engine keeps images',
      route: 'container/runtime',
    });
  } else if (runtime.disk.low) {
    add({
      id: 'disk',
      area: 'runtime',
      status: 'warn',
      title: 'Low disk space',
      detail: `${gb(runtime.disk.freeBytes)} free on ${runtime.disk.path}`,
      fix: ['Free space, e.g. `docker system prune`; the agent image needs about 2 GB'],
      route: 'container/runtime',
    });
  } else {
    add({
      id: 'disk',
      area: 'runtime',
      status: 'ok',
      title: `Disk: ${gb(runtime.disk.freeBytes)} free`,
      detail: `on ${runtime.disk.path}, where the engine keeps images`,
      route: 'container/runtime',
    });
  }

  diagnoseImage(input, add);
  diagnoseProxy(proxy, add);
  diagnoseMounts(mounts, add);
  diagnoseIpc(input.ipc ?? [], add);

  for (const item of input.extra ?? []) add(item);

  for (const w of input.warnings)
    add({
      id: `warning-${w.id}`,
      area: 'app',
      status: 'warn',
      title: warningTitle(w.code),
      detail: w.message,
      route: warningRoute(w.code),
    });

  const status = items.some((x) => x.status === 'fail')
    ? 'fail'
    : items.some((x) => x.status === 'warn')
      ? 'warn'
      : 'ok';
  return { status, items, checkedAt: new Date().toISOString() };
}

export type Add = (
  item: Omit<Diagnostic, 'fix' | 'route'> & Partial<Pick<Diagnostic, 'fix' | 'route'>>,
) => void;

/**
 * The image itself, and how its last build ended: a warning only when there is no image to use
 * (missing, outdated, or unknown while a runtime runs) or the last build failed.
 */
function diagnoseImage({ runtime, image }: DiagnosticsInput, add: Add): void {
  const last = image.lastBuild ?? null;
  const failed = image.state === 'failed' || last?.outcome === 'failed';
  const rebuild = 'Settings > Container > Image → Rebuild Image';
  const item = (
    status: Diagnostic['status'],
    title: string,
    fix: string[] = [],
    detail = image.error ?? image.image,
  ) => add({ id: 'image', area: 'image', status, title, detail, fix, route: 'container/image' });
  const failFix = [image.hint ?? last?.hint ?? 'Read the build output, fix the cause, and rebuild'];
  // While it builds, the only hint is the hang watch's: the build has gone silent.
  if (image.state === 'building' && image.hint)
    return item('warn', 'Agent image build has gone silent', [image.hint]);
  if (image.state === 'building')
    return item('info', `Agent image is building (${image.progress?.percent ?? 0}%)`);
  if (!runtime.available && !failed)
    return item('info', 'Agent image unknown: no container runtime', [], image.image);
  switch (image.state) {
    case 'failed':
      return item('fail', 'Agent image build failed', failFix);
    case 'ready':
    case 'outdated':
      if (failed)
        return item(
          'warn',
          `The last agent image build failed; agents use the ${image.state === 'outdated' ? 'outdated ' : ''}image built before`,
          failFix,
        );
      return image.state === 'ready'
        ? item(
            'ok',
            'Agent image is ready',
            [],
            last?.outcome === 'cancelled'
              ? `${image.image} (the last rebuild was cancelled; this image is unchanged)`
              : image.image,
          )
        : item('warn', 'Agent image is outdated', [rebuild]);
    case 'missing':
      return item('warn', 'Agent image is not built', [rebuild]);
    case 'cancelled':
      return item('warn', 'Agent image is not built (the last build was cancelled)', [rebuild]);
    case 'unknown':
      return item('warn', 'Agent image state unknown', [
        'Settings > Container > Runtime → check that the engine answers',
        rebuild,
      ]);
  }
}

/** A warning's code as a title in words: AGENTS_ON_HOST_NETWORK → "Agents on host network". */
function warningTitle(code: string): string {
  const words = code.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The page where a warning is fixed, by what its code is about. */
function warningRoute(code: string): string | null {
  if (code.startsWith('PROXY')) return 'container/proxy';
  if (code.startsWith('MOUNT')) return 'container/mounts';
  if (code.includes('NETWORK') || code.startsWith('RUNTIME') || code.startsWith('ENGINE'))
    return 'container/runtime';
  return null;
}

/** "Pause all agents" is on: nothing starts until the user resumes, so Health says so. */
export function pauseDiagnostic(paused: boolean, waiting: number): Diagnostic {
  return paused
    ? {
        id: 'agents-paused',
        area: 'sessions',
        status: 'warn',
        title: 'Agents are paused',
        detail: `No agent starts until you resume${waiting ? `; ${waiting} waiting in the queue` : ''}. Schedules and chats queue meanwhile.`,
        fix: ['Resume agents: the tray, or the button at the right of the status strip'],
        route: 'cowork',
      }
    : {
        id: 'agents-paused',
        area: 'sessions',
        status: 'ok',
        title: 'Agents: not paused',
        detail: 'Sessions start as they come, up to the agents-at-once limit.',
        fix: [],
        route: null,
      };
}
