import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppError } from '../../shared/errors';
import { resolveDataDir } from '../services/app/paths';
import { writeFileAtomic } from '../services/fs/atomic-write';
import {
  launchdPlist,
  launchdPlistPath,
  LAUNCHD_LABEL,
  SYSTEMD_UNIT_NAME,
  systemdUnit,
  systemdUnitPath,
  type ServeCommand,
} from '../services/app/login-start';

/**
 * `aigo service install|uninstall`: `aigo serve` started at login by the system's own service
 * manager (a systemd user unit on Linux, a launchd agent on macOS). `--no-start` only writes or
 * removes the file, for a user who enables it by hand (and for the tests).
 */
export interface ServiceOptions {
  dataDir?: string;
  port?: string;
  start: boolean;
}

type Run = (command: string, args: string[]) => { ok: boolean; output: string };

const runCommand: Run = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`;
  return { ok: result.status === 0, output: output.trim() };
};

function serveCommand(opts: ServiceOptions): ServeCommand {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : '';
  return {
    argv: [process.execPath, script],
    ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
    ...(opts.port ? { port: Number(opts.port) } : {}),
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function serviceInstall(opts: ServiceOptions, run: Run = runCommand): Promise<void> {
  const cmd = serveCommand(opts);
  if (process.platform === 'linux') {
    const path = systemdUnitPath();
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, systemdUnit(cmd));
    say(`Wrote ${path}`);
    if (!opts.start) {
      say(
        `Enable it with: systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`,
      );
      return;
    }
    for (const args of [
      ['--user', 'daemon-reload'],
      ['--user', 'enable', '--now', SYSTEMD_UNIT_NAME],
    ]) {
      const result = run('systemctl', args);
      if (!result.ok)
        throw new AppError(
          'INTERNAL',
          `The unit is written but \`systemctl ${args.join(' ')}\` failed: ${result.output || 'no output'}. This needs a systemd user session (log in as this user, not through su); then run \`systemctl --user enable --now ${SYSTEMD_UNIT_NAME}\`.`,
        );
    }
    say(`Enabled and started ${SYSTEMD_UNIT_NAME}: aigo serve now starts when you log in.`);
    say('To keep it running while you are logged out (a server): loginctl enable-linger $USER');
    return;
  }
  if (process.platform === 'darwin') {
    const path = launchdPlistPath();
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(
      path,
      launchdPlist(cmd, opts.dataDir ? resolve(opts.dataDir) : resolveDataDir()),
    );
    say(`Wrote ${path}`);
    if (!opts.start) {
      say(`Load it with: launchctl bootstrap gui/$(id -u) ${path}`);
      return;
    }
    const result = run('launchctl', ['bootstrap', `gui/${process.getuid?.() ?? 0}`, path]);
    if (!result.ok)
      throw new AppError(
        'INTERNAL',
        `The agent is written but \`launchctl bootstrap\` failed: ${result.output || 'no output'}. Run \`launchctl bootstrap gui/$(id -u) ${path}\` yourself.`,
      );
    say(`Loaded ${LAUNCHD_LABEL}: aigo serve now starts when you log in.`);
    return;
  }
  throw new AppError(
    'INVALID_INPUT',
    'aigo service is for Linux (systemd) and macOS (launchd). On Windows, use the desktop app: Settings > Advanced > Start at login.',
  );
}

export async function serviceUninstall(opts: ServiceOptions, run: Run = runCommand): Promise<void> {
  if (process.platform === 'linux') {
    const path = systemdUnitPath();
    if (opts.start) run('systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT_NAME]);
    await rm(path, { force: true });
    if (opts.start) run('systemctl', ['--user', 'daemon-reload']);
    say(`Removed ${path}: aigo serve no longer starts at login.`);
    return;
  }
  if (process.platform === 'darwin') {
    const path = launchdPlistPath();
    if (opts.start)
      run('launchctl', ['bootout', `gui/${process.getuid?.() ?? 0}/${LAUNCHD_LABEL}`]);
    await rm(path, { force: true });
    say(`Removed ${path}: aigo serve no longer starts at login.`);
    return;
  }
  throw new AppError('INVALID_INPUT', 'aigo service is for Linux (systemd) and macOS (launchd).');
}
