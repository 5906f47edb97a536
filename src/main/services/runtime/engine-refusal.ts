import { AppError } from '../../../shared/errors';

/** What the engine was asked to do when it refused. */
export type EngineAction = 'create' | 'start';

export type RefusalCause =
  | 'resource_limit'
  | 'init_missing'
  | 'missing_executable'
  | 'image_missing'
  | 'name_conflict'
  | 'no_space'
  | 'security_policy'
  | 'permission'
  | 'other';

export interface EngineRefusal {
  cause: RefusalCause;
  /** One sentence: what the engine refused and why, in words a user knows. */
  summary: string;
  /** The engine's own words, as it said them. */
  engineMessage: string;
  fix: string[];
}

export interface RefusalContext {
  action: EngineAction;
  image: string;
  /** Podman's fixes differ (containers.conf, rootless, `podman` commands). */
  podman: boolean;
}

/** The engine's message of a dockerode error: its JSON `message`, else the error's. */
export function engineMessageOf(error: unknown): string {
  const e = error as { json?: { message?: unknown } | string; message?: string };
  if (e?.json && typeof e.json === 'object' && typeof e.json.message === 'string')
    return e.json.message;
  if (typeof e?.json === 'string' && e.json.trim()) return e.json.trim();
  return (e?.message ?? String(error)).replace(/^\(HTTP code \d+\) [^-]*- /, '');
}

/** Linux's RLIMIT_* numbers as runc and crun report them ("error setting rlimit type 7"). */
const RLIMIT_NAMES: Record<string, string> = {
  '0': 'CPU time',
  '1': 'file size',
  '3': 'stack size',
  '4': 'core file size',
  '6': 'processes (nproc)',
  '7': 'open files (nofile)',
  '8': 'locked memory (memlock)',
};

/**
 * Why an engine refused to create or start a container, from its status and message, with the
 * fix where one is known. Docker's and Podman's wordings both: the same refusal reads
 * differently through runc, crun and their error wrapping.
 */
export function classifyRefusal(error: unknown, context: RefusalContext): EngineRefusal {
  const status = (error as { statusCode?: number })?.statusCode;
  const engineMessage = engineMessageOf(error);
  const text = engineMessage.toLowerCase();
  const engine = context.podman ? 'Podman' : 'Docker';
  const verb = context.action === 'create' ? 'create' : 'start';
  const refusal = (cause: RefusalCause, why: string, fix: string[]): EngineRefusal => ({
    cause,
    summary: `${engine} refused to ${verb} the container: ${why}`,
    engineMessage,
    fix,
  });

  const rlimit = /rlimit type (\d+)/.exec(text);
  if (rlimit || /\bulimit|rlimit/.test(text)) {
    const which = rlimit
      ? (RLIMIT_NAMES[rlimit[1] as string] ?? `type ${rlimit[1]}`)
      : 'a resource';
    return refusal(
      'resource_limit',
      `the limit on ${which} it sets for containers is above the hard limit the engine itself runs with.`,
      context.podman
        ? [
            'Give containers limits within the engine\'s: in ~/.config/containers/containers.conf (or /etc/containers/containers.conf) set [containers] default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"], then restart the Podman service.',
            'Or raise the hard limit of the user running Podman (ulimit -Hn; LimitNOFILE= in its systemd unit).',
          ]
        : [
            'Check "default-ulimits" in /etc/docker/daemon.json: each hard limit must be within the engine\'s own (LimitNOFILE= of docker.service); then sudo systemctl restart docker.',
          ],
    );
  }
  if (/container-init|catatonit|docker-init|init binary/.test(text))
    return refusal(
      'init_missing',
      'the small init process aigo runs agents under (it reaps their children and passes signals on) is not installed with the engine.',
      [
        context.podman
          ? 'Install catatonit (sudo apt install catatonit, or sudo dnf install catatonit), then try again.'
          : "Install the engine's init (docker-init, from the docker package, or tini), then try again.",
      ],
    );
  // A 404 on create is the image most of the time, but a network removed under aigo is one too:
  // only a message about an image says it is the image.
  if (/no such image|image not known|image .* not found|pull access denied/.test(text))
    return refusal('image_missing', `the image ${context.image} is not on this engine.`, [
      'Settings > Container > Image → Rebuild Image (aigo builds it on this engine), then try again.',
    ]);
  if (status === 409 || /already in use|name is already|name .* conflict/.test(text))
    return refusal('name_conflict', 'a container with the same name is left from an earlier run.', [
      `Remove it: ${context.podman ? 'podman' : 'docker'} rm -f <the name in the engine's message>, then try again (aigo removes its own leftovers at start).`,
    ]);
  if (/no space left on device|enospc|disk quota exceeded/.test(text))
    return refusal('no_space', 'the disk that holds its images and containers is full.', [
      `Free space: ${context.podman ? 'podman system df, then podman system prune' : 'docker system df, then docker system prune'} (removes stopped containers and unused images), or move the engine's storage to a larger disk.`,
    ]);
  if (
    /executable file not found|no such file or directory.*exec|exec format error|not found in \$path/.test(
      text,
    )
  )
    return refusal(
      'missing_executable',
      `the program it runs is not in the image ${context.image} (or not for this processor).`,
      ['Settings > Container > Image → Rebuild Image, so the image holds what aigo runs in it.'],
    );
  if (/seccomp|apparmor|selinux|avc: *denied|security opt/.test(text))
    return refusal(
      'security_policy',
      'a security policy of the host (seccomp, AppArmor or SELinux) did not allow it.',
      [
        `See which profile refused it: ${context.podman ? 'podman info --format "{{.Host.Security}}"' : 'docker info --format "{{.SecurityOptions}}"'}, and journalctl -k | grep -iE "apparmor|avc" for the denial.`,
        'A mounted folder under SELinux needs a label the container may read: relabel it (chcon -Rt container_file_t <folder>) or mount a folder that has one.',
      ],
    );
  if (/permission denied|operation not permitted|eacces|eperm/.test(text))
    return refusal(
      'permission',
      'the engine was not allowed to do something it needed (a file, a mount or a kernel feature).',
      [
        context.podman
          ? 'Rootless Podman runs as your user: files it mounts must be readable by you, and some kernel features need rootful Podman (sudo podman system service).'
          : "Check that the folders aigo mounts are readable by the engine, and the engine's log: journalctl -u docker -n 50.",
      ],
    );
  return refusal('other', 'it gave the reason below.', [
    context.podman
      ? "The engine's log says more: journalctl --user -u podman -n 50 (rootless) or journalctl -u podman -n 50."
      : "The engine's log says more: journalctl -u docker -n 50.",
  ]);
}

/**
 * Whether an error is the engine's answer (it has an HTTP status), not a failure to reach it
 * (ECONNREFUSED, a timeout), which the runtime monitor reports as the engine being away.
 */
export function isEngineAnswer(error: unknown): boolean {
  return typeof (error as { statusCode?: unknown })?.statusCode === 'number';
}

/** The refusal as the error every boundary carries: its own code, never INTERNAL. */
export function engineRefusalError(error: unknown, context: RefusalContext): AppError {
  const refusal = classifyRefusal(error, context);
  return new AppError(
    'ENGINE_REFUSED',
    `${refusal.summary} (${engineRefusalQuote(refusal.engineMessage)}) Fix: ${refusal.fix.join(' ')}`,
    { cause: refusal.cause, engineMessage: refusal.engineMessage, fix: refusal.fix },
  );
}

/** The engine's words, bounded: some runtimes repeat the whole OCI error chain. */
function engineRefusalQuote(message: string): string {
  const trimmed = message.trim().replace(/\s+/g, ' ');
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}
