import Docker from 'dockerode';
import { demuxDockerLogs } from '../../src/main/services/runtime/docker-logs';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in a throwaway container (network none) and returns its output. */
export async function runContainer(
  image: string,
  script: string,
  hostConfig: Docker.HostConfig = {},
  user = '1000:1000',
): Promise<RunResult> {
  const docker = new Docker();
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['sh', '-c', script],
    User: user,
    Labels: { 'aigo.test': '1' },
    HostConfig: { NetworkMode: 'none', ...hostConfig },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // Read the output once the container has exited: complete, with no stream to race.
    const stdout = (await container.logs({ stdout: true, stderr: false })) as unknown as Buffer;
    const stderr = (await container.logs({ stdout: false, stderr: true })) as unknown as Buffer;
    return {
      exitCode: StatusCode,
      stdout: demuxDockerLogs(stdout),
      stderr: demuxDockerLogs(stderr),
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
