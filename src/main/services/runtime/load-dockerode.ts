import { createRequire, Module } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type Docker from 'dockerode';

const require = createRequire(import.meta.url);

/**
 * Modules dockerode loads with itself but calls only for rare work: gRPC and protobuf for
 * BuildKit sessions (`buildImage` with `version: '2'`), ssh2 for docker-modem's own ssh://
 * transport. Together about 100 ms of its 150 ms load, paid at every start before the runtime
 * could be detected. Each is registered as a stand-in that loads the real module on first call.
 */
const DEFERRED: readonly { from: string; id: string }[] = [
  { from: 'dockerode', id: 'dockerode/lib/session.js' },
  { from: 'dockerode', id: 'docker-modem/lib/ssh.js' },
];

/**
 * What dockerode loads, in the order it reaches them, each a few milliseconds of synchronous
 * work: loaded one per turn of the event loop by `loadDockerodeInSlices`. Who calls the API
 * while the runtime is being detected (the page, the CLI) is answered between two slices
 * instead of after all of them (20-30 ms of one block, right after the API started listening).
 */
const SLICES: readonly { from: 'dockerode' | 'docker-modem'; id: string }[] = [
  { from: 'docker-modem', id: 'debug' },
  { from: 'docker-modem', id: 'readable-stream' },
  { from: 'docker-modem', id: 'node:https' },
  { from: 'dockerode', id: 'docker-modem' },
  { from: 'dockerode', id: 'tar-fs' },
];

let dockerode: typeof Docker | undefined;
let slicedLoad: Promise<typeof Docker> | undefined;

/** loadDockerode, with the event loop free between the parts (see SLICES). */
export function loadDockerodeInSlices(): Promise<typeof Docker> {
  if (dockerode) return Promise.resolve(dockerode);
  slicedLoad ??= (async () => {
    deferRarelyUsed();
    for (const slice of SLICES) {
      await nextTurn();
      if (dockerode) break;
      try {
        const dockerodeMain = require.resolve('dockerode');
        const parent =
          slice.from === 'dockerode'
            ? dockerodeMain
            : createRequire(dockerodeMain).resolve('docker-modem');
        createRequire(parent)(slice.id);
      } catch {
        // A layout we do not know: the whole load below does it in one piece.
      }
    }
    await nextTurn();
    return loadDockerode();
  })();
  return slicedLoad;
}

/** Before dockerode itself, so its deferred parts are stand-ins from the start. */
let deferred = false;
function deferRarelyUsed(): void {
  if (deferred) return;
  deferred = true;
  for (const { from, id } of DEFERRED) deferModule(from, id);
}

/** dockerode's class, loaded on first use with its rarely used parts deferred. */
export function loadDockerode(): typeof Docker {
  if (!dockerode) {
    deferRarelyUsed();
    dockerode = require('dockerode') as typeof Docker;
  }
  return dockerode;
}

/** Both deferred modules export one function, so a function that loads and calls it stands in. */
function deferModule(from: string, id: string): void {
  let path: string;
  try {
    path = createRequire(require.resolve(from)).resolve(id);
  } catch {
    return; // a layout we do not know: dockerode loads it the ordinary way
  }
  if (require.cache[path]) return;
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  let real: ((...params: unknown[]) => unknown) | null = null;
  standIn.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    // Loaded once: docker-modem calls its ssh agent factory on every request over ssh://.
    if (!real) {
      delete require.cache[path];
      real = require(path) as (...params: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  require.cache[path] = standIn;
}
