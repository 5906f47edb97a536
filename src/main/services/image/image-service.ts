import type { Logger } from 'pino';
import type { BuildProgress, ImageStatus, LastBuild } from '../../../shared/schemas/image';
import { AGENT_IMAGE } from '../../../shared/schemas/image';
import type { Settings } from '../../../shared/schemas/settings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { RuntimeService } from '../runtime/runtime-service';
import {
  appleContainerBackend,
  dockerBackend,
  type BuildRun,
  type ImageBackend,
  type ImageInfo,
} from './backends';
import {
  LABEL_HASH,
  LABEL_VERSION,
  loadContext,
  type ContextFiles,
  type LoadedContext,
} from './build-context';
import { BuildLog } from './build-log';

export { LABEL_HASH, LABEL_VERSION } from './build-context';
/** Checked before a build starts: the image is 1-2 GB and its layers need room while building. */
export const MIN_BUILD_DISK_BYTES = 3 * 1024 ** 3;

export interface ImageServiceDeps {
  runtime: RuntimeService;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  settings: () => Settings['image'];
  appVersion: string;
  context: ContextFiles;
  image?: string;
  minDiskBytes?: number;
  /** Overrides Settings' hang limit (minutes) and how often it is checked; for tests. */
  hangAfterMs?: number;
  hangCheckMs?: number;
  /** The image tooling to use instead of the runtime's own; for tests. */
  backend?: () => ImageBackend | null;
}

type BuildOverrides = { baseImage?: string | undefined; installTools?: boolean | undefined };

interface Build {
  log: BuildLog;
  run: BuildRun | null;
  cancelled: boolean;
  abort: AbortController;
  startedAt: Date;
  done: Promise<void>;
}

/** How long cancel waits for the engine to confirm before it declares the build over itself. */
const CANCEL_GRACE_MS = 3000;

/** What the engine says about the image itself, whatever the builds did. */
interface SeenImage {
  state: 'missing' | 'ready' | 'outdated' | 'unknown';
  imageId: string | null;
  sizeBytes: number | null;
  builtAt: string | null;
  appVersion: string | null;
  contextHash: string | null;
  /** A problem with the image or its context (not with a build). */
  error: string | null;
  hint: string | null;
}

const HINT_RUNTIME =
  'Ensure the container runtime is running before attempting a build (Settings > Container > Runtime).';
const HINT_CANCELLED = 'The build was cancelled. Press Rebuild Image when ready.';
const HINT_OUTDATED =
  'The agent image was built by another version of aigo. Rebuild it so agents get the tools they expect.';
const HINT_FAILED =
  'Read the build output (Settings > Container > Image) for the error, fix the cause, and press Rebuild Image.';

const NO_IMAGE = {
  imageId: null,
  sizeBytes: null,
  builtAt: null,
  appVersion: null,
  contextHash: null,
} as const;

/**
 * Builds aigo-agent-runner:latest from the bundled context, one build at a time, with progress,
 * cancel, and the guide's hint for each way a build fails. Knows when the image is outdated:
 * its context-hash label differs from the app's own context.
 */
export class ImageService {
  private seen: SeenImage = { state: 'missing', ...NO_IMAGE, error: null, hint: null };
  private lastBuild: LastBuild | null = null;
  private currentContextHash: string | null = null;
  /** The output and progress of the last build, shown until the next one starts. */
  private output = '';
  private progress: BuildProgress | null = null;
  private buildStartedAt: string | null = null;
  private buildFinishedAt: string | null = null;
  /** Set while a build runs and has gone silent for too long. */
  private hangHint: string | null = null;
  /** The last status sent out, to send only real changes. */
  private sent = '';
  private build: Build | null = null;
  private starting: Promise<ImageStatus> | null = null;
  private hangTimer: NodeJS.Timeout | null = null;
  private emitTimer: NodeJS.Timeout | null = null;
  private context: LoadedContext | null = null;
  private readonly image: string;

  constructor(private readonly deps: ImageServiceDeps) {
    this.image = deps.image ?? AGENT_IMAGE;
  }

  async start(): Promise<void> {
    await this.refresh();
  }

  async stop(): Promise<void> {
    if (this.build) await this.cancel();
    this.stopHangWatch();
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
  }

  /** Only while a build runs: notices one that has gone silent. */
  private startHangWatch(): void {
    this.stopHangWatch();
    this.hangTimer = setInterval(() => this.checkHang(), this.deps.hangCheckMs ?? 5000);
    this.hangTimer.unref();
  }

  private stopHangWatch(): void {
    if (this.hangTimer) clearInterval(this.hangTimer);
    this.hangTimer = null;
  }

  /**
   * The image's own state, and how the last build ended. `failed`/`cancelled` stand for "no image
   * to use, and the last build failed / was cancelled"; over a usable image the state stays
   * `ready`/`outdated`. A failed build's error and hint stay until a build succeeds.
   */
  status(): ImageStatus {
    const { seen, lastBuild, build } = this;
    const usable = seen.state === 'ready' || seen.state === 'outdated';
    const failed = lastBuild?.outcome === 'failed';
    const state = build
      ? 'building'
      : !usable && failed
        ? 'failed'
        : seen.state === 'missing' && lastBuild?.outcome === 'cancelled'
          ? 'cancelled'
          : seen.state;
    const error = build ? null : failed ? lastBuild.error : seen.error;
    const hint = build
      ? this.hangHint
      : failed
        ? lastBuild.hint
        : state === 'cancelled'
          ? HINT_CANCELLED
          : seen.hint;
    return {
      state,
      image: this.image,
      imageId: seen.imageId,
      sizeBytes: seen.sizeBytes,
      builtAt: seen.builtAt,
      appVersion: seen.appVersion,
      contextHash: seen.contextHash,
      currentContextHash: this.currentContextHash,
      progress: build ? { ...build.log.progress } : this.progress,
      output: build ? build.log.text() : this.output,
      error,
      hint,
      buildStartedAt: this.buildStartedAt,
      buildFinishedAt: this.buildFinishedAt,
      lastBuild,
    };
  }

  /** The image tooling of the runtime in use, or null when none is available. */
  private backend(): ImageBackend | null {
    if (this.deps.backend) return this.deps.runtime.status().available ? this.deps.backend() : null;
    const runtime = this.deps.runtime.status();
    if (!runtime.available) return null;
    if (runtime.backend === 'apple_container') return appleContainerBackend();
    const engine = this.deps.runtime.docker();
    // Where containers share the host's network, so do a build's RUN steps: they never get a
    // bridge of the engine's (a Podman engine always has one, even when agents may not use it).
    const hostNetwork = runtime.networking.source === 'host_network';
    return dockerBackend(engine.client, engine.streamingClient, hostNetwork ? 'host' : undefined);
  }

  /** Reads the image's labels and compares them with the app's context. */
  async refresh(): Promise<ImageStatus> {
    if (this.build || this.starting) return this.status();
    let hash: string | null = null;
    let contextError: string | null = null;
    try {
      this.context = await loadContext(this.deps.context);
      hash = this.context.hash;
    } catch (error) {
      contextError = (error as Error).message;
    }
    this.currentContextHash = hash;
    const backend = this.backend();
    if (!backend) {
      // Without a runtime nobody can tell whether the image exists.
      this.seen = { state: 'unknown', ...NO_IMAGE, error: contextError, hint: HINT_RUNTIME };
      this.changed();
      return this.status();
    }
    let info: ImageInfo | null | undefined;
    try {
      info = await backend.inspect(this.image);
    } catch (error) {
      info = undefined;
      contextError ??= `Cannot inspect ${this.image}: ${(error as Error).message}`;
    }
    // A build that started while we looked owns the state now.
    if (this.build || this.starting) return this.status();
    if (info === undefined) {
      this.seen = { state: 'unknown', ...NO_IMAGE, error: contextError, hint: HINT_RUNTIME };
    } else if (!info) {
      this.seen = { state: 'missing', ...NO_IMAGE, error: contextError, hint: null };
    } else {
      const imageHash = info.labels[LABEL_HASH] ?? null;
      const stale = hash !== null && imageHash !== hash;
      this.seen = {
        state: stale ? 'outdated' : 'ready',
        imageId: info.id,
        sizeBytes: info.sizeBytes,
        builtAt: info.createdAt,
        appVersion: info.labels[LABEL_VERSION] ?? null,
        contextHash: imageHash,
        error: contextError,
        hint: stale ? HINT_OUTDATED : null,
      };
    }
    this.changed();
    return this.status();
  }

  /** Starts a build, or joins the one already running. Returns at once; follow `status()`. */
  startBuild(overrides: BuildOverrides = {}): Promise<ImageStatus> {
    if (this.build) return Promise.resolve(this.status());
    // Set before the first await, so a second click while the context loads joins this build.
    this.starting ??= this.beginBuild(overrides).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async beginBuild(overrides: BuildOverrides): Promise<ImageStatus> {
    const started = new Date();
    const fail = (error: string, hint: string) => {
      const finishedAt = new Date().toISOString();
      this.lastBuild = {
        outcome: 'failed',
        error,
        hint,
        startedAt: started.toISOString(),
        finishedAt,
      };
      this.output = '';
      this.progress = null;
      this.buildStartedAt = started.toISOString();
      this.buildFinishedAt = finishedAt;
      this.changed();
      this.deps.audit.record({
        severity: 'warning',
        category: 'image',
        message: `Image build did not start: ${error}`,
        details: {},
      });
      return this.status();
    };
    const backend = this.backend();
    if (!backend)
      return fail(
        `No container runtime is available: ${this.deps.runtime.status().message}`,
        HINT_RUNTIME,
      );
    const disk = this.deps.runtime.status().disk;
    const minDisk = this.deps.minDiskBytes ?? MIN_BUILD_DISK_BYTES;
    if (disk && disk.freeBytes < minDisk) {
      const gb = (n: number) => (n / 1024 ** 3).toFixed(1);
      return fail(
        `Only ${gb(disk.freeBytes)} GB free on ${disk.path}; a build needs about ${gb(minDisk)} GB.`,
        'Check available disk space (the agent runner image is approximately 1-2 GB). Free space, e.g. `docker system prune`, then rebuild.',
      );
    }
    let context: LoadedContext;
    try {
      context = await loadContext(this.deps.context);
    } catch (error) {
      return fail(
        (error as Error).message,
        'Rebuild aigo itself (npm run build), then Rebuild Image.',
      );
    }
    this.context = context;
    const settings = this.deps.settings();
    const buildargs = {
      BASE_IMAGE: overrides.baseImage ?? settings.baseImage,
      INSTALL_TOOLS: (overrides.installTools ?? settings.installTools) ? '1' : '0',
      APP_VERSION: this.deps.appVersion,
      CONTEXT_HASH: context.hash,
    };
    const build: Build = {
      log: new BuildLog(),
      run: null,
      cancelled: false,
      abort: new AbortController(),
      startedAt: started,
      done: Promise.resolve(),
    };
    build.log.add(
      `aigo: building ${this.image} from base image ${buildargs.BASE_IMAGE} (${buildargs.INSTALL_TOOLS === '1' ? 'installing tools' : 'no extra tools'})`,
    );
    this.build = build;
    this.startHangWatch();
    this.hangHint = null;
    this.currentContextHash = context.hash;
    this.buildStartedAt = started.toISOString();
    this.buildFinishedAt = null;
    this.changed();
    this.deps.audit.record({
      severity: 'info',
      category: 'image',
      message: `Image build started (base ${buildargs.BASE_IMAGE})`,
      details: { ...buildargs },
    });
    this.deps.logger.info({ ...buildargs }, 'Image build started');
    build.done = this.runBuild(backend, build, context, buildargs);
    return this.status();
  }

  /** Stops the running build and removes what it left behind. */
  async cancel(): Promise<ImageStatus> {
    const build = this.build;
    if (!build) return this.status();
    build.cancelled = true;
    build.abort.abort();
    build.run?.cancel();
    // An engine that accepted the build may never answer: do not wait on it for more than a
    // moment. Its clean-up carries on in the background; the build is over for the user now.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      build.done,
      new Promise((resolve) => (grace = setTimeout(resolve, CANCEL_GRACE_MS))),
    ]);
    clearTimeout(grace);
    if (this.build === build) {
      build.log.add('aigo: the engine did not confirm the cancel; the build was abandoned.');
      this.finishBuild(build, 'cancelled');
    }
    return this.status();
  }

  /** Waits for the running build, if any (tests, shutdown). */
  async settled(): Promise<ImageStatus> {
    await this.build?.done;
    return this.status();
  }

  private async runBuild(
    backend: ImageBackend,
    build: Build,
    context: LoadedContext,
    buildargs: Record<string, string>,
  ): Promise<void> {
    let error: string | null;
    try {
      build.run = await backend.build(
        this.image,
        context,
        buildargs,
        (text) => {
          build.log.add(text);
          // Debug Logging: each build step as the engine reports it.
          for (const line of text.split('\n'))
            if (/^(Step \d+\/\d+|STEP \d+\/\d+|\[\d+\/\d+\])/.test(line.trim()))
              this.deps.logger.debug({ step: line.trim().slice(0, 200) }, 'Image build step');
          this.emitSoon();
        },
        build.abort.signal,
      );
      if (build.cancelled) build.run.cancel();
      error = await build.run.done;
      // Docker's failure is also a line of its output; Podman's final one is not: the output
      // shown with a failure always ends with the failure itself.
      if (error && !build.log.text().includes(error)) build.log.add(`ERROR: ${error}`);
    } catch (err) {
      error = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      build.log.add(`ERROR: ${error}`);
      this.deps.logger.warn({ error }, 'Image build failed');
    }
    if (build.cancelled) await build.run?.cleanUp();
    // Cancel may have given up waiting and ended this build already.
    if (this.build === build) this.finishBuild(build, build.cancelled ? 'cancelled' : error);
  }

  private finishBuild(build: Build, error: string | null): void {
    const finishedAt = new Date().toISOString();
    const seconds = ((Date.now() - build.startedAt.getTime()) / 1000).toFixed(1);
    const ended = (outcome: LastBuild['outcome'], err: string | null, hint: string | null) => {
      this.lastBuild = {
        outcome,
        error: err,
        hint,
        startedAt: build.startedAt.toISOString(),
        finishedAt,
      };
    };
    this.build = null;
    this.hangHint = null;
    this.stopHangWatch();
    if (error === 'cancelled') {
      // The image that was there before is still there: its state does not change.
      ended('cancelled', null, null);
      this.deps.audit.record({
        severity: 'info',
        category: 'image',
        message: `Image build cancelled after ${seconds} s`,
        details: {},
      });
    } else if (error) {
      ended('failed', error, build.log.hint() ?? HINT_FAILED);
      this.deps.audit.record({
        severity: 'warning',
        category: 'image',
        message: `Image build failed after ${seconds} s: ${error}`,
        details: {},
      });
    } else {
      build.log.finish();
      ended('succeeded', null, null);
      // Until the refresh below reads it back: the image just built is this app's.
      this.seen = {
        ...this.seen,
        state: 'ready',
        contextHash: this.currentContextHash,
        error: null,
        hint: null,
      };
      this.deps.audit.record({
        severity: 'info',
        category: 'image',
        message: `Image built in ${seconds} s`,
        details: {},
      });
    }
    this.output = build.log.text();
    this.progress = { ...build.log.progress };
    this.buildFinishedAt = finishedAt;
    this.changed();
    this.deps.logger.info(
      { state: this.status().state, outcome: this.lastBuild?.outcome, seconds },
      'Image build finished',
    );
    void this.refresh().catch((err: unknown) =>
      this.deps.logger.warn({ err }, 'Cannot inspect the image after the build'),
    );
  }

  private checkHang(): void {
    const build = this.build;
    if (!build) return;
    const limitMs = this.deps.hangAfterMs ?? this.deps.settings().hangAfterMinutes * 60_000;
    const silentMs = Date.now() - build.log.lastOutputAt;
    if (silentMs > limitMs && !this.hangHint) {
      this.hangHint = `The build has printed nothing for ${Math.round(silentMs / 60_000)} minutes. Network issues can cause base image downloads to hang: check your internet connection (and Docker's proxy settings), then cancel the build and try again.`;
      this.changed();
    }
  }

  private changed(): void {
    // Only real changes go out: a refresh that finds the same image must not wake every client.
    const next = JSON.stringify(this.status());
    if (next === this.sent) return;
    this.sent = next;
    this.emitSoon();
  }

  /** Status events at most four times a second while a build streams output. */
  private emitSoon(): void {
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.deps.bus.emit('image.changed', this.status());
    }, 250);
    this.emitTimer.unref();
  }
}

export function blankImageStatus(image: string): ImageStatus {
  return {
    state: 'missing',
    image,
    imageId: null,
    sizeBytes: null,
    builtAt: null,
    appVersion: null,
    contextHash: null,
    currentContextHash: null,
    progress: null,
    output: '',
    error: null,
    hint: null,
    buildStartedAt: null,
    buildFinishedAt: null,
    lastBuild: null,
  };
}
