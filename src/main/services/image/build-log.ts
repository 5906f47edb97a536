import type { BuildProgress } from '../../../shared/schemas/image';

const MAX_LINES = 200;

const BUILD_SETTINGS = 'Build settings (Settings > Container > Image)';

/**
 * Causes found in the build output, with the guide's advice for each: first match wins. Shown
 * once the build has ended, so none says to cancel, and none speaks of API fields.
 */
export const BUILD_HINTS: { pattern: RegExp; hint: string }[] = [
  {
    pattern: /apt-get: (command )?not found/i,
    hint: `The base image is not Debian-based (it has no apt-get), so the tools cannot be installed in it. Under ${BUILD_SETTINGS}, choose a Debian-based image with Node.js 20 or newer (e.g. node:22-slim) as Base image, or turn off Install tools if the base already has what agents need, then Rebuild Image.`,
  },
  {
    pattern: /(pull access denied|manifest unknown|repository does not exist|not found: manifest)/i,
    hint: `The base image was not found in its registry (or needs a login): check the Base image name under ${BUILD_SETTINGS}, or \`docker login\` for a private one. If this computer is offline, check your internet connection, or use an image it already has (\`docker images\`).`,
  },
  {
    pattern: /(toomanyrequests|rate limit)/i,
    hint: `The registry refused more downloads for now (pull rate limit): wait a while, or \`docker login\`, or set Base image under ${BUILD_SETTINGS} to an image this computer already has (\`docker images\`), then Rebuild Image.`,
  },
  {
    pattern:
      /(temporary failure (in name )?resolution|temporary failure resolving|could not resolve|no such host|dial tcp|i\/o timeout|tls handshake timeout|connection refused|network is unreachable|failed to fetch|unable to connect)/i,
    hint: `The build could not reach the network to download the base image or the tools: check your internet connection (behind a proxy, Docker or Apple Container must be configured to use it). Offline: under ${BUILD_SETTINGS}, set Base image to an image this computer already has (\`docker images\`) and turn off Install tools, then Rebuild Image.`,
  },
  {
    pattern: /(no space left on device|disk quota exceeded)/i,
    hint: 'The disk is full: check available disk space (the agent runner image is approximately 1-2 GB). Free space, e.g. `docker system prune`, then rebuild.',
  },
];

/** The build's log tail and its step counter, fed line by line from the engine's stream. */
export class BuildLog {
  private lines: string[] = [];
  progress: BuildProgress = { step: 0, totalSteps: 0, percent: 0, currentLine: '' };
  lastOutputAt = Date.now();

  add(chunk: string): void {
    this.lastOutputAt = Date.now();
    for (const raw of chunk.split(/\r?\n/)) {
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
      if (!line) continue;
      this.lines.push(line);
      // Docker's classic builder says `Step 3/12 :`, Podman's (Buildah) `STEP 3/12:`.
      const step = /^(?:Step|STEP) (\d+)\/(\d+)/.exec(line);
      if (step) {
        const n = Number(step[1]);
        const total = Number(step[2]);
        this.progress = {
          step: n,
          totalSteps: total,
          percent: Math.round(((n - 1) / total) * 100),
          currentLine: line,
        };
      } else {
        this.progress = { ...this.progress, currentLine: line };
      }
    }
    if (this.lines.length > MAX_LINES) this.lines = this.lines.slice(-MAX_LINES);
  }

  finish(): void {
    this.progress = { ...this.progress, step: this.progress.totalSteps, percent: 100 };
  }

  text(): string {
    return this.lines.join('\n');
  }

  /** The advice for the first known cause in the output, or null. */
  hint(): string | null {
    const text = this.text();
    return BUILD_HINTS.find((h) => h.pattern.test(text))?.hint ?? null;
  }
}
