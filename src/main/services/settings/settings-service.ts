import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { AppError, invalidInput } from '../../../shared/errors';
import {
  defaultSettings,
  settingsPatchSchema,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../shared/schemas/settings';
import type { EventBus } from '../events/event-bus';
import type { WarningCenter } from '../app/warnings';

export const SETTINGS_FILE = 'settings.json';

export interface SettingsServiceDeps {
  dataDir: string;
  bus: EventBus;
  warnings: WarningCenter;
  logger: Logger;
}

/**
 * Settings in `DATA_DIR/settings.json`, validated on load and on every change, written
 * atomically (lowdb's writer renames a fully written temp file). A file that cannot be read
 * is moved aside, never overwritten, and the app carries on with defaults.
 */
export class SettingsService {
  private readonly path: string;
  private readonly db: Low<Settings>;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SettingsServiceDeps) {
    this.path = join(deps.dataDir, SETTINGS_FILE);
    this.db = new Low<Settings>(new JSONFile<Settings>(this.path), defaultSettings());
  }

  get filePath(): string {
    return this.path;
  }

  async start(): Promise<void> {
    let problem: string | null = null;
    try {
      await this.db.read();
      const parsed = settingsSchema.safeParse(this.db.data);
      if (parsed.success) {
        this.db.data = parsed.data;
      } else {
        problem = invalidInput(parsed.error, 'settings').message;
      }
    } catch (error) {
      problem = `the file is not valid JSON (${(error as Error).message})`;
    }
    if (problem) await this.setAside(problem);
    // Write back so defaults for new fields are on disk and the file is known-good.
    await this.persist();
  }

  async stop(): Promise<void> {
    await this.writes;
  }

  get(): Settings {
    return structuredClone(this.db.data);
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const checkedPatch = settingsPatchSchema.safeParse(patch);
    if (!checkedPatch.success) throw invalidInput(checkedPatch.error, 'settings change');
    const current = this.db.data;
    const merged = {
      runtime: { ...current.runtime, ...checkedPatch.data.runtime },
      advanced: { ...current.advanced, ...checkedPatch.data.advanced },
    };
    const next = settingsSchema.safeParse(merged);
    if (!next.success) throw invalidInput(next.error, 'settings change');
    this.db.data = next.data;
    await this.persist();
    this.deps.logger.info({ changed: Object.keys(checkedPatch.data) }, 'Settings changed');
    this.deps.bus.emit('settings.changed', this.get());
    return this.get();
  }

  private async setAside(problem: string): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.path}.corrupt-${stamp}`;
    try {
      await rename(this.path, aside);
    } catch (error) {
      throw new AppError(
        'INTERNAL',
        `Cannot move the unreadable settings file aside: ${(error as Error).message}`,
      );
    }
    this.db.data = defaultSettings();
    const message = `Settings could not be loaded: ${problem}. The file was kept as ${aside} and aigo started with default settings. Compare the two files and copy back the values you need.`;
    this.deps.logger.warn(
      { aside, problem },
      'Settings file was unreadable; moved aside, using defaults',
    );
    this.deps.warnings.add('SETTINGS_CORRUPT', message, { keptAs: aside });
  }

  private persist(): Promise<void> {
    // Serialise writes so two quick changes cannot race their renames.
    const next = this.writes.catch(() => undefined).then(() => this.db.write());
    this.writes = next;
    return next;
  }
}
