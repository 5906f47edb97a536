import { createRequire, Module } from 'node:module';
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

let dockerode: typeof Docker | undefined;

/** dockerode's class, loaded on first use with its rarely used parts deferred. */
export function loadDockerode(): typeof Docker {
  if (!dockerode) {
    for (const { from, id } of DEFERRED) deferModule(from, id);
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
