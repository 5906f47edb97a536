import type { AppWarning } from '../../../shared/schemas/app';
import type { Diagnostic, Diagnostics } from '../../../shared/schemas/diagnostics';
import type { ImageStatus } from '../../../shared/schemas/image';
import type { MountSecurityView } from '../../../shared/schemas/mounts';
import type { ProxyView } from '../../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { IpcProblem } from '../sessions/ipc-problems';
import { formatBytes } from '../../../shared/format-bytes';

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
  const s = proxy.status;
  if (!s.enabled) {
    add({
      id: 'proxy',
      area: 'proxy',
      status: 'warn',
      title: 'Credential proxy is turned off',
      detail: 'Agents in containers cannot call the model API.',
      fix: ['Settings > Container > Credential Proxy → turn it on'],
      route: 'container/proxy',
    });
  } else if (!s.running) {
    add({
      id: 'proxy',
      area: 'proxy',
      status: 'fail',
      title: 'Credential proxy is not running',
      detail: s.lastError ?? 'unknown error',
      fix: [
        'Settings > Container > Credential Proxy → toggle off and on',
        'Choose another port if the port is in use',
      ],
      route: 'container/proxy',
    });
  } else {
    const wide = s.bindAddress === '0.0.0.0' || s.bindAddress === '::';
    if (!s.strict) {
      // Without session tokens, anything that reaches the port can spend the keys.
      add({
        id: 'proxy',
        area: 'proxy',
        status: wide ? 'fail' : 'warn',
        title: wide
          ? `Credential proxy is open to the network on ${s.bindAddress}:${s.port} without session tokens`
          : `Credential proxy running on ${s.bindAddress}:${s.port} without session tokens`,
        detail: wide
          ? 'Any machine that reaches this port can spend your API keys.'
          : 'Any local process that reaches the port can spend your API keys.',
        fix: [
          'Settings > Container > Credential Proxy → turn Strict on',
          ...(wide ? ['Set the bind address back to automatic'] : []),
        ],
        route: 'container/proxy',
      });
    } else {
      add({
        id: 'proxy',
        area: 'proxy',
        status: wide ? 'warn' : 'ok',
        title: `Credential proxy running on ${s.bindAddress}:${s.port}`,
        detail: wide
          ? 'listening on every interface (session tokens still required)'
          : 'strict: per-container session tokens required',
        fix: wide
          ? ['Set the bind address back to automatic unless other machines must reach it']
          : [],
        route: 'container/proxy',
      });
    }
  }
  if (proxy.mappings.length === 0) {
    add({
      id: 'proxy-mappings',
      area: 'proxy',
      status: 'warn',
      title: 'No credential mapping',
      detail: 'Without one, containers have no API to call.',
      fix: ['Settings > Container > Credential Proxy → Add mapping with your API key'],
      route: 'container/proxy',
    });
  }
  for (const m of proxy.mappings) {
    // One item per mapping: its worst problem, or ok.
    if (!m.hasKey && m.auth.type !== 'none')
      add({
        id: `proxy-key-${m.id}`,
        area: 'proxy',
        status: 'fail',
        title: `Mapping "${m.name}" has no API key`,
        detail: m.upstreamUrl,
        fix: ['Edit the mapping and enter the real API key'],
        route: 'container/proxy',
      });
    else if (m.lastStatus === 401 || m.lastStatus === 403)
      add({
        id: `proxy-rejected-${m.id}`,
        area: 'proxy',
        status: 'fail',
        title: `The upstream rejected the key of "${m.name}"`,
        detail: `last answer HTTP ${m.lastStatus}`,
        fix: ['Check that the real API key is valid; replace it in the mapping, then press Test'],
        route: 'container/proxy',
      });
    else if (m.lastStatus === 502 || m.lastStatus === 504)
      add({
        id: `proxy-unreachable-${m.id}`,
        area: 'proxy',
        status: 'warn',
        title: `The upstream of "${m.name}" could not be reached`,
        detail: `${m.upstreamUrl}: last answer HTTP ${m.lastStatus}${m.lastStatus === 504 ? ' (no answer in time)' : ''}`,
        fix: [
          'Verify the upstream URL in the mapping is correct and reachable, then press Test',
          'Check this computer’s internet connection (and proxy)',
        ],
        route: 'container/proxy',
      });
    else
      add({
        id: `proxy-mapping-${m.id}`,
        area: 'proxy',
        status: 'ok',
        title: `Mapping "${m.name}": API key set`,
        detail:
          m.lastStatus === null
            ? `${m.upstreamUrl} (not used yet)`
            : `${m.upstreamUrl}: last answer HTTP ${m.lastStatus}`,
        route: 'container/proxy',
      });
  }

  if (mounts.roots.length === 0) {
    add({
      id: 'mounts',
      area: 'mounts',
      status: 'info',
      title: 'No folders shared with agents',
      detail: 'Agents see only their own workspace.',
      fix: [
        'Settings > Container > Mount Security → add an allowed root, if agents should see your files',
      ],
      route: 'container/mounts',
    });
  }
  for (const r of mounts.roots) {
    // One item per root: moved (admits nothing), missing, broad, or ok.
    if (r.problem)
      add({
        id: `mount-root-problem-${r.path}`,
        area: 'mounts',
        status: 'fail',
        title: `Allowed root admits nothing: ${r.path}`,
        detail: r.problem,
        fix: r.needsReconfirm
          ? [
              'Settings > Container > Mount Security → Re-confirm, if the new location is right',
              'Otherwise point the symlink back, or remove the root',
            ]
          : ['Remove the root in Settings > Container > Mount Security'],
        route: 'container/mounts',
      });
    else if (!r.exists)
      add({
        id: `mount-missing-${r.path}`,
        area: 'mounts',
        status: 'warn',
        title: `Allowed root is missing: ${r.path}`,
        detail: 'Mounts under it are refused until it is back.',
        fix: ['Reconnect the drive, or remove the root in Settings > Container > Mount Security'],
        route: 'container/mounts',
      });
    else if (r.broad)
      add({
        id: `mount-broad-${r.path}`,
        area: 'mounts',
        status: 'warn',
        title: `Broad allowed root: ${r.path}`,
        detail: 'Every agent could see everything below it.',
        fix: ['Replace it with the specific folders agents need'],
        route: 'container/mounts',
      });
    else
      add({
        id: `mount-root-${r.path}`,
        area: 'mounts',
        status: 'ok',
        title: `Allowed root: ${r.path}`,
        detail: `${r.allowReadWrite ? 'read-write' : 'read-only'}${r.realPath && r.realPath !== r.path ? `, real path ${r.realPath}` : ''}`,
        route: 'container/mounts',
      });
  }

  for (const p of input.ipc ?? []) {
    const where = `session ${p.session} (group ${p.group})`;
    if (p.kind === 'input_unread')
      add({
        id: `ipc-unread-${p.session}`,
        area: 'sessions',
        status: 'warn',
        title: `${p.count} follow-up message${p.count === 1 ? '' : 's'} wait unread: the container of ${where} is not running`,
        detail: p.folder,
        fix: [
          'Verify the container is still running (check run history: Settings > Container > Runs)',
          'Send a message on the Cowork page to resume the session; it reads what is waiting',
        ],
        route: 'cowork',
      });
    else
      add({
        id: `ipc-${p.kind}-${p.session}`,
        area: 'sessions',
        status: 'warn',
        title:
          p.kind === 'outgoing_stuck'
            ? `${p.count} outgoing message${p.count === 1 ? '' : 's'} of ${where} not delivered yet`
            : `${p.count} outgoing file${p.count === 1 ? '' : 's'} of ${where} set aside as malformed`,
        detail: p.folder,
        fix:
          p.kind === 'outgoing_stuck'
            ? [
                'Check the message router status in the application logs: aigo logs --last 500',
                'Verify the channel is connected (Settings > Channels) and the chat JID matches its format',
              ]
            : [
                'Open the files in the folder above: the audit log (Settings > Security, category ipc) says why each was refused',
              ],
        route: 'cowork',
      });
  }

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

type Add = (
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
