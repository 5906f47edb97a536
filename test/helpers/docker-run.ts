import { PassThrough } from 'node:stream';
import Docker from 'dockerode';

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
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    container.modem.demuxStream(stream, out, err);
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await new Promise((r) => setTimeout(r, 50)); // let the attach stream drain
    return { exitCode: StatusCode, stdout, stderr };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
