import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * Starting aigo when the user logs in, where the operating system looks for it:
 *  - the desktop app on Linux: an XDG autostart entry (Electron's login items cover only
 *    macOS and Windows);
 *  - `aigo serve` (headless): a systemd user unit on Linux, a launchd agent on macOS.
 * The files are written atomically and removed cleanly; nothing here runs them.
 */

export const SYSTEMD_UNIT_NAME = 'aigo.service';
export const LAUNCHD_LABEL = 'dev.aigo.serve';

const configHome = (env: NodeJS.ProcessEnv, home: string) => {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
};

/** One argument, quoted for a desktop entry's or systemd's Exec line when it needs quoting. */
function quoteArg(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["\\`$])/g, '\\$1')}"`;
}

export function autostartPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(configHome(env, home), 'autostart', 'aigo.desktop');
}

/** The desktop app, started hidden in the tray. `exec` is the AppImage or the executable. */
export function autostartEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=aigo',
    'Comment=AI agents in containers on your own machine',
    `Exec=${quoteArg(exec)} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export async function setAutostart(
  enabled: boolean,
  exec: string,
  path = autostartPath(),
): Promise<void> {
  if (!enabled) return rm(path, { force: true });
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, autostartEntry(exec));
}

export interface ServeCommand {
  /** The Node.js binary and the CLI script (or a single executable), absolute paths. */
  argv: string[];
  /** A data folder chosen on the command line, kept in the service. */
  dataDir?: string;
  port?: number;
}

function serveArgs(cmd: ServeCommand): string[] {
  return [
    ...cmd.argv,
    'serve',
    ...(cmd.dataDir ? ['--data-dir', cmd.dataDir] : []),
    ...(cmd.port !== undefined ? ['--port', String(cmd.port)] : []),
  ];
}

export function systemdUnitPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(configHome(env, home), 'systemd', 'user', SYSTEMD_UNIT_NAME);
}

/** A systemd user unit: `aigo serve` at login, restarted if it fails, stopped cleanly (SIGTERM). */
export function systemdUnit(cmd: ServeCommand): string {
  return [
    '[Unit]',
    'Description=aigo (headless): AI agents in containers',
    'After=network-online.target docker.service podman.socket',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${serveArgs(cmd).map(quoteArg).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export function launchdPlistPath(home = homedir()): string {
  return join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A launchd agent: `aigo serve` at login, kept alive if it exits with an error. */
export function launchdPlist(cmd: ServeCommand, logDir: string): string {
  const args = serveArgs(cmd)
    .map((a) => `      <string>${xml(a)}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>${LAUNCHD_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
${args}
    </array>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <dict>
      <key>SuccessfulExit</key>
      <false/>
    </dict>
    <key>StandardOutPath</key>
    <string>${xml(join(logDir, 'launchd.out.log'))}</string>
    <key>StandardErrorPath</key>
    <string>${xml(join(logDir, 'launchd.err.log'))}</string>
  </dict>
</plist>
`;
}
