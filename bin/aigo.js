#!/usr/bin/env node
// The `aigo` command: runs the built CLI (npm run build makes out/main/cli.js).
// Built-ins through process.getBuiltinModule: an ES import of one makes Node build a module
// facade that reads (and so runs) all its exports, a few ms each (scripts/builtin-imports-plugin.ts).
const { existsSync, mkdirSync, readdirSync, rmSync, statSync } =
  process.getBuiltinModule('node:fs');
const module = process.getBuiltinModule('node:module');
const { setFlagsFromString } = process.getBuiltinModule('node:v8');
const { homedir } = process.getBuiltinModule('node:os');
const { dirname, join } = process.getBuiltinModule('node:path');
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'aigo: the app is not built yet. Run `npm run build` in the aigo folder first.\n',
  );
  process.exit(1);
}
// V8 keeps the compiled code of the bundle between runs (Node 22.1+), so a start after the
// first one skips most of the compiling: about a third of the time to the first answer. In a
// folder of this user's own (0700): Node's default, a shared folder in /tmp, would let another
// user of the machine plant compiled code for aigo to run.
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || compileCacheDir());
holdOptimizingCompilers();
await import(pathToFileURL(cli).href);

/**
 * Start-up runs most code once: V8's optimizing compilers would page in about 8 MB of their
 * own code to optimize what happens to loop in it. The app lets them work again once started
 * (src/main/services/app/optimizing-compilers.ts). Flags the user set are left alone.
 */
function holdOptimizingCompilers() {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (/turbofan|maglev|\bopt\b|jitless|always-opt/.test(given)) return;
  setFlagsFromString('--no-turbofan');
  setFlagsFromString('--no-maglev');
  globalThis[Symbol.for('aigo.optimizingCompilersHeld')] = true;
}

function compileCacheDir() {
  const base =
    process.platform === 'win32'
      ? (process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'));
  const root = join(base, 'aigo', 'node-compile-cache');
  // One folder per build of the CLI: Node never removes what an older build compiled (about
  // 2 MB a build), so the folders of other builds go when a new one first runs.
  const build = `build-${Math.trunc(statSync(cli).mtimeMs)}`;
  const dir = join(root, build);
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (const stale of readdirSync(root)) {
        if (stale !== build) rmSync(join(root, stale), { recursive: true, force: true });
      }
    }
    return dir;
  } catch {
    return undefined; // not writable: Node runs without the cache
  }
}
