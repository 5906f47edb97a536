/** Set by bin/aigo.js when it held V8's optimizing compilers back for the start-up. */
const HELD = Symbol.for('aigo.optimizingCompilersHeld');

/**
 * Lets V8 optimize again once the app has started. bin/aigo.js starts the process with
 * TurboFan and Maglev off: start-up runs most code once, and what loops in it (building the
 * API's schemas) would have them compile it and page in about 8 MB of their own machine code,
 * for an app that may then sit idle for hours. From here on hot code is optimized as usual
 * (the credential proxy's path, queries); until then nothing is hot.
 */
export function releaseOptimizingCompilers(): void {
  const flags = globalThis as Record<symbol, unknown>;
  if (flags[HELD] !== true) return; // not held (Electron, tests), or the user set the flags
  flags[HELD] = false;
  const { setFlagsFromString } = process.getBuiltinModule('node:v8');
  setFlagsFromString('--turbofan');
  setFlagsFromString('--maglev');
}
