import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { builtinImportsPlugin } from './scripts/builtin-imports-plugin';

/**
 * Three builds, as in electron-vite's template:
 *  - main: the Electron entry (src/main/electron/main.ts) and the plain-Node CLI
 *    (src/main/cli.ts, used by `aigo serve`), sharing every service;
 *  - preload: one CommonJS file with its few dependencies bundled, because a sandboxed
 *    preload can neither be ESM nor `require` packages;
 *  - renderer: the React UI, served by the Electron window and by `aigo serve` alike.
 */
const BUNDLED_IN_MAIN = [
  'chokidar',
  'commander',
  'rou3',
  'lowdb',
  'node-cron',
  'pino',
  'rotating-file-stream',
  'tar-stream',
  'yaml',
  'zod',
];

export default defineConfig({
  main: {
    // Built-ins through process.getBuiltinModule, not ESM facades (see the plugin).
    plugins: [builtinImportsPlugin()],
    build: {
      outDir: 'out/main',
      // Bundled, so a start reads one file instead of resolving hundreds (issue 17: about 150 ms
      // of the 560 ms to the first answer). Left outside: dockerode (its rarely used parts are
      // deferred by load-dockerode.ts), ssh2 (optional native parts), and what loads on first
      // use: the chat libraries, fflate (the diagnostics bundle's zip), cronstrue (a schedule's
      // description).
      externalizeDeps: { exclude: BUNDLED_IN_MAIN },
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/electron/main.ts'),
          cli: resolve(import.meta.dirname, 'src/main/cli.ts'),
        },
        // ASCII only (non-ASCII escaped, doc comments dropped): V8 then keeps the bundle's
        // source as one byte per character instead of two, about 2 MB less for the life of
        // the process, and reads it faster at start.
        output: { charset: 'ascii', comments: { jsdoc: false, legal: true, annotation: true } },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
    plugins: [react()],
  },
});
