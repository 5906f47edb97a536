import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppleContainerEngine } from '../../src/main/services/sessions/apple-engine';
import type { AgentContainerSpec } from '../../src/main/services/sessions/container-spec';
import { tempDir } from '../helpers/temp';

/**
 * Apple Container cannot run here: a stand-in `container` CLI plays the documented commands
 * (run --detach, logs --follow, inspect, stop, delete, list), so the engine's process
 * handling, output streaming, exit detection and orphan clean-up run for real.
 */
describe('the Apple Container agent engine', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cli: string;
  beforeAll(async () => {
    dir = await tempDir();
    cli = join(dir.path, 'container');
    await writeFile(
      cli,
      `#!/bin/sh
D="${dir.path}"
echo "$@" >> "$D/calls"
case "$1" in
  run) touch "$D/running"; echo "$4"; exit 0 ;;
  logs) echo '{"type":"progress","event":"start"}'; sleep 0.2; echo '{"type":"message","text":"hi","turn":1}'; rm -f "$D/running"; exit 0 ;;
  inspect) if [ -f "$D/running" ]; then echo '[{"status":"running"}]'; else echo '[{"status":"stopped","exitCode":0}]'; fi; exit 0 ;;
  list) echo '[{"status":"stopped","configuration":{"id":"aigo-old","labels":{"org.aigo.install":"inst1","org.aigo.kind":"agent"}}},{"status":"running","configuration":{"id":"someone-else","labels":{}}}]'; exit 0 ;;
  stop|kill|delete) exit 0 ;;
esac
exit 2
`,
    );
    await chmod(cli, 0o755);
  });
  afterAll(() => dir.cleanup());

  const spec: AgentContainerSpec = {
    name: 'aigo-main-s1',
    image: 'aigo-agent-runner:latest',
    labels: { 'org.aigo.install': 'inst1', 'org.aigo.kind': 'agent' },
    env: { AIGO_SESSION: 's1', SECRET: 'never' },
    mounts: [{ Type: 'bind', Source: '/Users/me/p', Target: '/workspace', ReadOnly: false }],
    memoryMb: 1024,
    cpus: 2,
    extra: {},
    networkMode: 'default',
    extraHosts: [],
  };

  it('runs detached, streams the runner lines, and sees the exit', async () => {
    const engine = new AppleContainerEngine(cli, 50);
    const container = await engine.run(spec);
    const lines: string[] = [];
    container.onLine((l) => lines.push(l));
    expect(await container.exited).toBe(0);
    expect(lines).toEqual([
      '{"type":"progress","event":"start"}',
      '{"type":"message","text":"hi","turn":1}',
    ]);
    const calls = await readFile(join(dir.path, 'calls'), 'utf8');
    expect(calls).toContain('run --detach --name aigo-main-s1');
    expect(calls).toContain('--env AIGO_SESSION=s1');
    expect(calls).not.toContain('SECRET');
    expect(calls).toContain('logs --follow aigo-main-s1');
    expect((await container.inspect()).pid).toBeNull(); // a VM: the host-stat check applies
    await container.remove();
    expect(await readFile(join(dir.path, 'calls'), 'utf8')).toContain(
      'delete --force aigo-main-s1',
    );
  });

  it('removes only the orphans of this install', async () => {
    const engine = new AppleContainerEngine(cli, 50);
    expect(await engine.removeOrphans('inst1')).toEqual(['aigo-old']);
    const calls = await readFile(join(dir.path, 'calls'), 'utf8');
    expect(calls).toContain('delete --force aigo-old');
    expect(calls).not.toContain('delete --force someone-else');
  });

  it('refuses a mount path its --mount option cannot carry', async () => {
    const engine = new AppleContainerEngine(cli, 50);
    await expect(
      engine.run({
        ...spec,
        mounts: [{ Type: 'bind', Source: '/Users/me/a,b', Target: '/workspace', ReadOnly: true }],
      }),
    ).rejects.toThrow(/comma/);
  });
});
