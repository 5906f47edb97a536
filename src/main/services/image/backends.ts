import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { contextTar, imageLabels, type LoadedContext } from './build-context';

export interface ImageInfo {
  id: string;
  sizeBytes: number | null;
  createdAt: string | null;
  labels: Record<string, string>;
}

/** What a build reports back: each output line as it comes, and at the end an error or null. */
export interface BuildRun {
  /** Resolves with the failure message, or null when the image was built. */
  done: Promise<string | null>;
  cancel(): void;
  /** Removes what a cancelled build left behind (its intermediate containers). */
  cleanUp(): Promise<void>;
}

/** How one container runtime inspects and builds images. */
export interface ImageBackend {
  inspect(image: string): Promise<ImageInfo | null>;
  build(
    image: string,
    context: LoadedContext,
    buildargs: Record<string, string>,
    onOutput: (text: string) => void,
    /** Aborts the request itself: an engine may accept a build and never answer it. */
    signal?: AbortSignal,
  ): Promise<BuildRun>;
}

/** Docker (and Docker-compatible engines) through the engine API: the classic builder's stream. */
export function dockerBackend(
  client: Docker,
  streaming: Docker,
  /** The network of the build's RUN steps (`host`); the engine's default when not given. */
  networkMode?: string,
): ImageBackend {
  return {
    async inspect(image) {
      try {
        const info = await client.getImage(image).inspect();
        return {
          id: info.Id,
          sizeBytes: info.Size,
          createdAt: info.Created,
          labels: info.Config?.Labels ?? {},
        };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    },
    async build(image, context, buildargs, onOutput, signal) {
      // The classic builder names each step's container ("---> Running in <id>"): exactly what
      // a cancelled build may leave behind, and nothing else of the user's.
      const stepContainers = new Set<string>();
      const started = Math.floor(Date.now() / 1000) - 1;
      const runCommands = dockerfileRunCommands(context);
      // Each step prints the image it produced (" ---> 1a2b3c4d5e6f"); the next step's container
      // is created from it. Only containers from these images can be this build's.
      const stepImages = new Set<string>();
      const stream = await streaming.buildImage(contextTar(context), {
        t: image,
        buildargs,
        labels: imageLabels(buildargs),
        rm: true,
        forcerm: true,
        ...(networkMode ? { networkmode: networkMode } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      });
      let cancelled = false;
      const done = new Promise<string | null>((resolve) => {
        let failure: string | null = null;
        streaming.modem.followProgress(
          stream,
          (err: Error | null) => resolve(failure ?? (err ? err.message : null)),
          (event: {
            stream?: string;
            status?: string;
            error?: string;
            errorDetail?: { message?: string };
          }) => {
            if (event.stream) {
              for (const m of event.stream.matchAll(/Running in ([0-9a-f]{12,64})/g))
                stepContainers.add(m[1] as string);
              for (const m of event.stream.matchAll(/--->\s+([0-9a-f]{12,64})\b/g))
                stepImages.add(m[1] as string);
              onOutput(event.stream);
            }
            if (event.status) onOutput(event.status);
            if (event.error) {
              failure = event.errorDetail?.message ?? event.error;
              onOutput(`ERROR: ${failure}`);
            }
          },
        );
        stream.on('close', () => resolve(failure ?? (cancelled ? 'cancelled' : null)));
      });
      return {
        done,
        cancel() {
          cancelled = true;
          (stream as unknown as { destroy: () => void }).destroy();
        },
        async cleanUp() {
          // forcerm normally removes them as the engine notices the cancel; make sure, and wait
          // until the engine no longer lists them.
          const deadline = Date.now() + 15_000;
          while (stepContainers.size > 0 && Date.now() < deadline) {
            for (const id of [...stepContainers]) {
              await client
                .getContainer(id)
                .remove({ force: true })
                .catch(() => undefined);
              const still = await client
                .getContainer(id)
                .inspect()
                .then(
                  () => true,
                  () => false,
                );
              if (!still) stepContainers.delete(id);
            }
            if (stepContainers.size > 0) await new Promise((r) => setTimeout(r, 250));
          }
          // A cancel that lands between a step's announcement and its container's creation
          // leaves a container we never saw named. Find it by what only this build runs: one
          // of this Dockerfile's RUN commands, on an unnamed image, created since the build began.
          const ours = (imageId: string) =>
            [...stepImages].some((id) => imageId.replace(/^sha256:/, '').startsWith(id));
          for (let sweep = 0, quiet = 0; sweep < 12 && quiet < 4; sweep++) {
            const strays = (await client.listContainers({ all: true }).catch(() => [])).filter(
              (c) =>
                c.Created >= started &&
                ours(c.ImageID) &&
                runCommands.some((cmd) => c.Command.replace(/\s+/g, ' ').includes(cmd)),
            );
            quiet = strays.length === 0 ? quiet + 1 : 0;
            await Promise.all(
              strays.map((c) =>
                client
                  .getContainer(c.Id)
                  .remove({ force: true })
                  .catch(() => undefined),
              ),
            );
            await new Promise((r) => setTimeout(r, 250));
          }
        },
      };
    },
  };
}

/** Apple Container through its CLI: `container build` and `container image inspect`. */
export function appleContainerBackend(cli = 'container'): ImageBackend {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (e) => resolve({ code: null, stdout, stderr: e.message }));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  return {
    async inspect(image) {
      const result = await run(['image', 'inspect', image]);
      if (result.code !== 0) return null;
      // The CLI prints JSON; read what we need without depending on its exact layout.
      const text = result.stdout;
      const label = (key: string) =>
        new RegExp(`"${key.replace(/\./g, '\\.')}"\\s*:\\s*"([^"]*)"`).exec(text)?.[1];
      const labels: Record<string, string> = {};
      for (const key of ['org.aigo.context-hash', 'org.aigo.app-version', 'org.aigo.image']) {
        const value = label(key);
        if (value !== undefined) labels[key] = value;
      }
      const size = /"size"\s*:\s*(\d+)/i.exec(text)?.[1];
      const created = /"created(?:At)?"\s*:\s*"([^"]+)"/i.exec(text)?.[1];
      const digest = /"digest"\s*:\s*"([^"]+)"/i.exec(text)?.[1];
      return {
        id: digest ?? image,
        sizeBytes: size ? Number(size) : null,
        createdAt: created ?? null,
        labels,
      };
    },
    async build(image, context, buildargs, onOutput) {
      const dir = await mkdtemp(join(tmpdir(), 'aigo-build-'));
      for (const f of context.files) await writeFile(join(dir, f.name), f.content);
      const args = [
        'build',
        '--tag',
        image,
        '--file',
        join(dir, 'Dockerfile'),
        ...Object.entries(buildargs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        dir,
      ];
      // Its own process group, so cancelling stops whatever the CLI started too.
      const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let cancelled = false;
      let tail = '';
      const collect = (c: Buffer) => {
        tail = (tail + c.toString()).slice(-2000);
        onOutput(c.toString());
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const done = new Promise<string | null>((resolve) => {
        child.on('error', (e) => resolve(`Cannot run ${cli}: ${e.message}`));
        child.on('close', (code) => {
          void rm(dir, { recursive: true, force: true });
          if (cancelled) resolve('cancelled');
          else
            resolve(
              code === 0
                ? null
                : (tail.trim().split('\n').at(-1) ?? `container build exited with ${code}`),
            );
        });
      });
      return {
        done,
        cancel() {
          cancelled = true;
          const signal = (sig: NodeJS.Signals) => {
            try {
              process.kill(-(child.pid as number), sig);
            } catch {
              // already gone
            }
          };
          signal('SIGINT');
          setTimeout(() => signal('SIGKILL'), 5000).unref();
        },
        // `container build` stops its builder work when interrupted; nothing is left to remove.
        cleanUp: async () => undefined,
      };
    },
  };
}

/** The commands of the Dockerfile's RUN steps, continuation lines joined, as the engine runs them. */
export function dockerfileRunCommands(context: LoadedContext): string[] {
  const dockerfile =
    context.files.find((f) => f.name === 'Dockerfile')?.content.toString('utf8') ?? '';
  const joined = dockerfile.replace(/\\\r?\n/g, ' ');
  return [...joined.matchAll(/^\s*RUN\s+(.+)$/gim)].map((m) =>
    (m[1] as string).replace(/\s+/g, ' ').trim().slice(0, 60),
  );
}
