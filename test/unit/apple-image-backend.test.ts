import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appleContainerBackend } from '../../src/main/services/image/backends';
import { tempDir } from '../helpers/temp';

/**
 * Apple Container cannot run here; a stand-in `container` CLI plays its build and inspect
 * commands, so the backend's process handling and parsing are exercised for real.
 */
describe('the Apple Container image backend', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cli: string;
  beforeAll(async () => {
    dir = await tempDir();
    cli = join(dir.path, 'container');
    await writeFile(
      cli,
      `#!/bin/sh
echo "$@" >> "${dir.path}/calls"
if [ "$1" = "image" ] && [ "$2" = "inspect" ]; then
  [ "$3" = "missing:latest" ] && { echo "Error: image not found" >&2; exit 1; }
  echo '[{"name":"aigo-agent-runner:latest","index":{"digest":"sha256:abc"},"size":123456,"config":{"Labels":{"org.aigo.context-hash":"hash123","org.aigo.app-version":"1.2.3"}}}]'
  exit 0
fi
if [ "$1" = "build" ]; then
  echo "[1/3] FROM base"
  echo "[2/3] RUN something"
  case "$*" in *BASE_IMAGE=slow*) sleep 30 ;; esac
  case "$*" in *BASE_IMAGE=bad*) echo "Error: failed to resolve base image bad" >&2; exit 1 ;; esac
  echo "[3/3] done"
  exit 0
fi
exit 2
`,
    );
    await chmod(cli, 0o755);
  });
  afterAll(() => dir.cleanup());

  const context = { files: [{ name: 'Dockerfile', content: Buffer.from('FROM x\n') }], hash: 'h' };

  it('reads labels, size and id from `container image inspect`, and null for a missing image', async () => {
    const backend = appleContainerBackend(cli);
    expect(await backend.inspect('aigo-agent-runner:latest')).toEqual({
      id: 'sha256:abc',
      sizeBytes: 123456,
      createdAt: null,
      labels: { 'org.aigo.context-hash': 'hash123', 'org.aigo.app-version': '1.2.3' },
    });
    expect(await backend.inspect('missing:latest')).toBeNull();
  });

  it('builds with `container build`, passing tag, Dockerfile and build args, streaming output', async () => {
    const lines: string[] = [];
    const run = await appleContainerBackend(cli).build(
      'aigo-agent-runner:latest',
      context,
      { BASE_IMAGE: 'node:22-slim', CONTEXT_HASH: 'h' },
      (t) => lines.push(t),
    );
    expect(await run.done).toBeNull();
    expect(lines.join('')).toContain('[3/3] done');
    const calls = await readFile(join(dir.path, 'calls'), 'utf8');
    expect(calls).toMatch(
      /build --tag aigo-agent-runner:latest --file \S+\/Dockerfile --build-arg BASE_IMAGE=node:22-slim --build-arg CONTEXT_HASH=h \S+/,
    );
  });

  it('reports a failed build with its last line, and a cancelled one as cancelled', async () => {
    const bad = await appleContainerBackend(cli).build(
      'x',
      context,
      { BASE_IMAGE: 'bad' },
      () => undefined,
    );
    expect(await bad.done).toBe('Error: failed to resolve base image bad');
    const slow = await appleContainerBackend(cli).build(
      'x',
      context,
      { BASE_IMAGE: 'slow' },
      () => undefined,
    );
    setTimeout(() => slow.cancel(), 200);
    expect(await slow.done).toBe('cancelled');
  });
});
