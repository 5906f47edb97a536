import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs a script in a fresh Node (its own module cache) and returns what it printed. */
function inFreshNode(script: string): Record<string, unknown> {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const PRELUDE = `
import { createRequire } from 'node:module';
import { loadDockerode } from './src/main/services/runtime/load-dockerode.ts';
const require = createRequire(import.meta.url);
const loaded = (name) => Object.keys(require.cache).some((p) => p.includes('/node_modules/' + name + '/'));
`;

describe('loadDockerode', () => {
  it('loads the client without gRPC, protobuf or ssh2, which only BuildKit sessions and ssh:// need', () => {
    const seen = inFreshNode(`${PRELUDE}
const Docker = loadDockerode();
const client = new Docker({ socketPath: '/nonexistent.sock' });
console.log(JSON.stringify({
  client: typeof client.ping,
  grpc: loaded('@grpc/grpc-js'),
  protobuf: loaded('protobufjs'),
  ssh2: loaded('ssh2'),
  same: loadDockerode() === Docker,
}));`);
    expect(seen).toEqual({
      client: 'function',
      grpc: false,
      protobuf: false,
      ssh2: false,
      same: true,
    });
  });

  it('loads a deferred module when it is first called, and it then works as the real one', () => {
    const seen = inFreshNode(`${PRELUDE}
loadDockerode();
const modemRequire = createRequire(require.resolve('dockerode'));
const ssh = modemRequire('docker-modem/lib/ssh.js');
const before = loaded('ssh2');
const agent = ssh({ host: '127.0.0.1', port: 1, username: 'nobody' });
const sshPath = modemRequire.resolve('docker-modem/lib/ssh.js');
const realModule = require.cache[sshPath];
ssh({ host: '127.0.0.1', port: 1, username: 'nobody' });
const session = modemRequire('dockerode/lib/session.js');
console.log(JSON.stringify({
  before,
  after: loaded('ssh2'),
  agent: typeof agent.createConnection,
  sessionDeferred: session.name,
  realSsh: modemRequire('docker-modem/lib/ssh.js').name !== 'deferred',
  loadedOnce: require.cache[sshPath] === realModule,
}));`);
    expect(seen).toEqual({
      before: false,
      after: true,
      agent: 'function',
      sessionDeferred: 'deferred',
      realSsh: true,
      loadedOnce: true,
    });
  });
});

describe('loadDockerodeInSlices', () => {
  it('lets the event loop run between the parts, and gives the same class as loadDockerode', () => {
    const seen = inFreshNode(`${PRELUDE}
import { loadDockerodeInSlices } from './src/main/services/runtime/load-dockerode.ts';
// Counts the turns of the event loop the load leaves free: each one could answer a request.
let turns = 0;
let counting = true;
const count = () => { if (!counting) return; turns++; setImmediate(count); };
setImmediate(count);
const pending = loadDockerodeInSlices();
const Docker = await pending;
counting = false;
console.log(JSON.stringify({
  turns: turns >= 5,
  same: loadDockerode() === Docker,
  again: (await loadDockerodeInSlices()) === Docker,
  grpc: loaded('@grpc/grpc-js'),
  ssh2: loaded('ssh2'),
}));`);
    expect(seen).toEqual({ turns: true, same: true, again: true, grpc: false, ssh2: false });
  });
});
