// `npm start`: build, then open the desktop app where Electron can run; otherwise run
// headless (`aigo serve`) and say why. Extra arguments go to `aigo serve`.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, electronInstaller, hasDisplay } from './electron-binary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });

const built =
  run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'])
    .status === 0 && run(process.execPath, [join(root, 'scripts/build-runner.js')]).status === 0;
if (!built) {
  console.error('aigo: the build failed; see the errors above.');
  process.exit(1);
}

/**
 * Ctrl+C reaches the child twice already: the terminal signals the whole process group, and npm
 * forwards its own SIGINT here. So forward only the first signal and wait for the child to
 * stop cleanly; a later one is passed on only after 10 s, when `aigo serve` treats it as a
 * request to force the exit (a shutdown that hangs). The exit code is the child's.
 */
function superviseChild(child) {
  let firstAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      const now = Date.now();
      if (firstAt && now - firstAt < 10_000) return;
      firstAt ||= now;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code) => process.exit(code ?? 0));
}

function headless(reason) {
  console.log(
    `aigo: ${reason} — starting headless instead (aigo serve). Open the printed link in a browser.\n`,
  );
  const child = spawn(
    process.execPath,
    [join(root, 'bin/aigo.js'), 'serve', ...process.argv.slice(2)],
    { cwd: root, stdio: 'inherit' },
  );
  superviseChild(child);
}

if (process.env.AIGO_HEADLESS === '1') {
  headless('AIGO_HEADLESS=1 is set');
} else if (!hasDisplay()) {
  headless('no display (DISPLAY/WAYLAND_DISPLAY unset)');
} else {
  let binary = electronBinary();
  if (!binary) {
    console.log('aigo: fetching the Electron binary (first start only)…');
    const fetched = spawnSync(process.execPath, [electronInstaller], {
      cwd: root,
      stdio: 'inherit',
      timeout: 180_000,
    });
    binary = fetched.status === 0 ? electronBinary() : null;
  }
  if (!binary) {
    headless('the Electron binary is not available and could not be downloaded');
  } else {
    const child = spawn(binary, ['.'], { cwd: root, stdio: 'inherit' });
    superviseChild(child);
  }
}
