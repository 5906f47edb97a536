import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { JSONFile } from 'lowdb/node';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError, invalidInput } from '../../../shared/errors';
import type { WarningCenter } from '../app/warnings';
import { removeStaleTemps } from '../fs/atomic-write';

export interface JsonStoreOptions<S extends z.ZodType> {
  path: string;
  schema: S;
  defaults: () => z.output<S>;
  /** What the file holds, for messages: "Settings", "The mount security policy". */
  label: string;
  /** Warning code shown to the user when the file had to be set aside. */
  warningCode: string;
  logger: Logger;
  warnings: WarningCenter;
}

/**
 * One JSON document under DATA_DIR, validated on load and on every write, written atomically
 * (lowdb's writer renames a fully written temp file) and one write at a time. A file that
 * cannot be read is moved aside, never overwritten, and the app carries on with defaults.
 */
export class JsonStore<S extends z.ZodType> {
  // lowdb's JSONFile writes through steno: a temp file renamed into place, never a torn file.
  private readonly file: JSONFile<z.output<S>>;
  private data: z.output<S>;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: JsonStoreOptions<S>) {
    this.file = new JSONFile<z.output<S>>(options.path);
    this.data = options.defaults();
  }

  get path(): string {
    return this.options.path;
  }

  async load(): Promise<void> {
    await mkdir(dirname(this.options.path), { recursive: true, mode: 0o700 });
    await removeStaleTemps(this.options.path);
    let problem: string | null = null;
    let raw: unknown = null;
    try {
      raw = await this.file.read();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A file we may not read is not a corrupt file: moving it aside would lose it.
      if (code) {
        throw new AppError(
          'INTERNAL',
          `Cannot read ${this.options.path} (${code}). Check its owner and permissions (was aigo once run with sudo?), then start aigo again.`,
          { path: this.options.path },
        );
      }
      problem = `the file is not valid JSON (${(error as Error).message})`;
    }
    if (!problem && raw !== null) {
      const parsed = this.options.schema.safeParse(raw);
      if (parsed.success) this.data = deepFreeze(parsed.data);
      else problem = invalidInput(parsed.error, basename(this.options.path)).message;
    }
    if (problem) await this.setAside(problem);
    // Write back so defaults for new fields are on disk and the file is known-good.
    await this.persist(this.data);
  }

  /** A copy: callers cannot change the stored document behind the store's back. */
  get(): z.output<S> {
    return structuredClone(this.data);
  }

  /**
   * The current document itself, frozen, for hot paths that only read (the credential proxy
   * reads its settings on every request): no copy. A write replaces the document, so a
   * snapshot a caller holds stays as it was.
   */
  snapshot(): Readonly<z.output<S>> {
    return this.data as Readonly<z.output<S>>;
  }

  async replace(next: unknown, what = 'change'): Promise<z.output<S>> {
    const parsed = this.options.schema.safeParse(next);
    if (!parsed.success)
      throw invalidInput(
        parsed.error,
        `${what} to ${this.options.label.replace(/^The /, 'the ').replace(/^Settings$/, 'the settings')}`,
      );
    // On disk first: a failed write leaves the app on the values that are really saved.
    await this.persist(parsed.data);
    this.data = deepFreeze(parsed.data);
    return this.get();
  }

  flush(): Promise<void> {
    return this.writes.catch(() => undefined);
  }

  private async setAside(problem: string): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.options.path}.corrupt-${stamp}`;
    try {
      await rename(this.options.path, aside);
    } catch (error) {
      throw new AppError(
        'INTERNAL',
        `Cannot move the unreadable file ${this.options.path} aside: ${(error as Error).message}`,
      );
    }
    this.data = this.options.defaults();
    const reason = problem.replace(/[.\s]+$/, '');
    const message = `${this.options.label} could not be loaded: ${reason}. The file was kept as ${aside} and aigo started with defaults. Compare the two files and copy back the values you need.`;
    this.options.logger.warn(
      { aside, problem },
      `${this.options.label} file was unreadable; moved aside, using defaults`,
    );
    this.options.warnings.add(this.options.warningCode, message, { keptAs: aside });
  }

  private persist(data: z.output<S>): Promise<void> {
    // Serialise writes so two quick changes cannot race their renames.
    const next = this.writes.catch(() => undefined).then(() => this.file.write(data));
    this.writes = next;
    return next;
  }
}

/** Frozen all the way down: a snapshot handed out can never be changed by its reader. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
