import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';
import type { Readable } from 'node:stream';

/** What the agent image says of itself (the Dockerfile's LABELs; set by the build API too). */
export const LABEL_HASH = 'org.aigo.context-hash';
export const LABEL_VERSION = 'org.aigo.app-version';

/**
 * The image's labels from its build arguments, given to the build API as well as written in the
 * Dockerfile: Podman's builder (Buildah 1.28) reuses a cached LABEL step whose ARG value changed,
 * so an image rebuilt for a new app version kept the old version's label and stayed "outdated".
 */
export function imageLabels(buildargs: Record<string, string>): Record<string, string> {
  return {
    'org.aigo.image': 'agent-runner',
    [LABEL_VERSION]: buildargs.APP_VERSION ?? 'dev',
    [LABEL_HASH]: buildargs.CONTEXT_HASH ?? 'unknown',
  };
}

export interface ContextFiles {
  dockerfile: string;
  runner: string;
}

/**
 * Where the image sources are. In the packaged app: `container/Dockerfile` and
 * `container/agent-runner.mjs` in the app's resources folder (Electron's
 * `process.resourcesPath`, outside the asar). From a checkout: `resources/container/Dockerfile`
 * and the bundled runner `out/container/agent-runner.mjs`, looked up from the built code, the
 * sources and the cwd.
 */
export function locateContext(
  resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath,
): ContextFiles {
  if (resourcesPath) {
    const dockerfile = join(resourcesPath, 'container', 'Dockerfile');
    if (existsSync(dockerfile))
      return { dockerfile, runner: join(resourcesPath, 'container', 'agent-runner.mjs') };
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [
    resolve(here, '../..'),
    resolve(here, '../../..'),
    resolve(here, '../../../..'),
    process.cwd(),
  ];
  for (const root of roots) {
    const dockerfile = join(root, 'resources/container/Dockerfile');
    if (existsSync(dockerfile))
      return { dockerfile, runner: join(root, 'out/container/agent-runner.mjs') };
  }
  return {
    dockerfile: join(process.cwd(), 'resources/container/Dockerfile'),
    runner: join(process.cwd(), 'out/container/agent-runner.mjs'),
  };
}

export interface LoadedContext {
  files: { name: string; content: Buffer }[];
  /** What the image label is compared with to tell an outdated image. */
  hash: string;
}

/** Reads the context; a missing runner bundle is an error that says how to build it. */
export async function loadContext(files: ContextFiles): Promise<LoadedContext> {
  const dockerfile = await readFile(files.dockerfile).catch(() => {
    throw new Error(`The image's Dockerfile is missing (${files.dockerfile}); reinstall aigo.`);
  });
  const runner = await readFile(files.runner).catch(() => {
    throw new Error(
      `The agent runner is not built (${files.runner} is missing); run \`npm run build\`.`,
    );
  });
  const entries = [
    { name: 'Dockerfile', content: dockerfile },
    { name: 'agent-runner.mjs', content: runner },
  ];
  const hash = createHash('sha256');
  for (const e of entries) hash.update(e.name).update('\0').update(e.content).update('\0');
  return { files: entries, hash: hash.digest('hex').slice(0, 16) };
}

/** The build context as the tar stream the engine's build API takes. */
export function contextTar(context: LoadedContext): Readable {
  const tar = pack();
  for (const f of context.files)
    tar.entry({ name: f.name, mode: 0o644, mtime: new Date(0) }, f.content);
  tar.finalize();
  return tar as unknown as Readable;
}
