import type { BuildProgress } from '../../../shared/schemas/image';

const MAX_LINES = 200;

/** Causes found in the build output, with the guide's advice for each. */
const HINTS: { pattern: RegExp; hint: string }[] = [
  {
    pattern:
      /(temporary failure (in name )?resolution|temporary failure resolving|could not resolve|no such host|dial tcp|i\/o timeout|tls handshake timeout|connection refused|network is unreachable|failed to fetch|unable to connect|pull access denied|manifest unknown|toomanyrequests|repository does not exist)/i,
    hint: 'Network issues can cause base image downloads to hang or fail; check your internet connection. If using a proxy, ensure Docker/Apple Container is configured to use it. Then cancel and rebuild.',
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
      const step = /^Step (\d+)\/(\d+)/.exec(line);
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
    return HINTS.find((h) => h.pattern.test(text))?.hint ?? null;
  }
}
