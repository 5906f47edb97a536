import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  autostartEntry,
  launchdPlist,
  setAutostart,
  systemdUnit,
} from '../../src/main/services/app/login-start';
import { AIGO_BIN, runAigo } from '../helpers/serve-process';

/** `systemd-analyze verify` where the machine has it: the unit as systemd itself reads it. */
const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('start at login: the files aigo writes', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'aigo-login-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('aigo service install --no-start writes a systemd user unit that runs this aigo serve; uninstall removes it', async () => {
    if (process.platform !== 'linux') return;
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    const dataDir = join(home, 'aigo data');
    const installed = runAigo(
      ['service', 'install', '--no-start', '--data-dir', dataDir, '--port', '55999'],
      env,
    );
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    const unitPath = join(home, '.config', 'systemd', 'user', 'aigo.service');
    expect(installed.stdout).toContain(`Wrote ${unitPath}`);
    expect(installed.stdout).toContain('systemctl --user enable --now aigo.service');
    const unit = await readFile(unitPath, 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} ${AIGO_BIN} serve --data-dir "${dataDir}" --port 55999`,
    );
    expect(unit).toContain('WantedBy=default.target');
    if (systemdAnalyze) {
      const verify = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
      // Only this unit's own problems count (the machine's other units are not ours).
      const ours = `${verify.stdout}${verify.stderr}`
        .split('\n')
        .filter((line) => line.includes('aigo.service'));
      expect(ours).toEqual([]);
    } else console.log('systemd-analyze is not installed: the unit was checked by content only');

    const removed = runAigo(['service', 'uninstall', '--no-start'], env);
    expect(removed.code).toBe(0);
    expect(existsSync(unitPath)).toBe(false);
  });

  it('a systemd unit quotes what needs quoting, and systemd reads it back the same', async () => {
    const unit = systemdUnit({ argv: ['/opt/my apps/node', '/opt/aigo/bin/aigo.js'] });
    expect(unit).toContain('ExecStart="/opt/my apps/node" /opt/aigo/bin/aigo.js serve');
  });

  it('the launchd agent runs aigo serve at load and restarts it only after a failure', () => {
    const plist = launchdPlist(
      { argv: ['/usr/local/bin/node', '/opt/a&b/aigo.js'], port: 1234 },
      '/logs',
    );
    expect(plist).toContain('<string>/opt/a&amp;b/aigo.js</string>');
    expect(plist).toContain('<string>--port</string>\n      <string>1234</string>');
    expect(plist).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>SuccessfulExit<\/key>\s*<false\/>/);
  });

  it('the desktop autostart entry starts the app hidden in the tray, and goes away when turned off', async () => {
    const path = join(home, 'autostart', 'aigo.desktop');
    await setAutostart(true, '/home/me/Apps/aigo 1.0.AppImage', path);
    const entry = await readFile(path, 'utf8');
    expect(entry).toBe(autostartEntry('/home/me/Apps/aigo 1.0.AppImage'));
    expect(entry).toContain('Exec="/home/me/Apps/aigo 1.0.AppImage" --hidden');
    await setAutostart(false, '/unused', path);
    expect(existsSync(path)).toBe(false);
  });
});
