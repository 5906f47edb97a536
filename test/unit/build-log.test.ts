import { describe, expect, it } from 'vitest';
import { BuildLog } from '../../src/main/services/image/build-log';

describe('BuildLog', () => {
  it('follows Podman\'s (Buildah\'s) "STEP N/M:" too', () => {
    const log = new BuildLog();
    log.add('STEP 1/12: FROM localhost/aigo-test-node-base:latest\n');
    log.add('STEP 10/12: RUN if ! grep -q :x:1000: /etc/passwd; then true; fi\n');
    expect(log.progress).toMatchObject({ step: 10, totalSteps: 12, percent: 75 });
  });

  it('follows "Step N/M" into progress and keeps the last 200 lines', () => {
    const log = new BuildLog();
    log.add('Step 1/4 : ARG BASE_IMAGE\n');
    log.add('Step 3/4 : RUN apt-get update\n ---> Running in abc\n');
    expect(log.progress).toMatchObject({
      step: 3,
      totalSteps: 4,
      percent: 50,
      currentLine: ' ---> Running in abc',
    });
    for (let i = 0; i < 300; i++) log.add(`line ${i}\n`);
    expect(log.text().split('\n')).toHaveLength(200);
    expect(log.text().endsWith('line 299')).toBe(true);
    log.finish();
    expect(log.progress.percent).toBe(100);
  });

  it.each([
    ['dial tcp: lookup registry-1.docker.io: no such host', 'check your internet connection'],
    ['Temporary failure resolving deb.debian.org', 'proxy'],
    ['pull access denied for foo, repository does not exist', 'check your internet connection'],
    ['write /var/lib/docker/tmp/x: no space left on device', 'disk space'],
  ])('hints at the cause for "%s"', (line, hint) => {
    const log = new BuildLog();
    log.add(`ERROR: ${line}\n`);
    expect(log.hint()).toContain(hint);
  });

  it('gives no hint when nothing known went wrong', () => {
    const log = new BuildLog();
    log.add('Step 1/1 : FROM scratch\n');
    expect(log.hint()).toBeNull();
  });
});

describe('the RUN commands of a Dockerfile (how a cancelled build finds its stray containers)', () => {
  it('joins continuation lines and normalises whitespace', async () => {
    const { dockerfileRunCommands } = await import('../../src/main/services/image/backends');
    const content = Buffer.from(
      'FROM x\nRUN if [ "$A" = "1" ]; then \\\n      apt-get update; \\\n    fi\nRUN echo  aigo-slow-step && sleep 60\n',
    );
    expect(dockerfileRunCommands({ files: [{ name: 'Dockerfile', content }], hash: 'h' })).toEqual([
      'if [ "$A" = "1" ]; then apt-get update; fi',
      'echo aigo-slow-step && sleep 60',
    ]);
  });
});
