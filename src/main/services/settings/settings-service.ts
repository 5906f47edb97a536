import { join } from 'node:path';
import type { Logger } from 'pino';
import { invalidInput } from '../../../shared/errors';
import {
  defaultSettings,
  settingsPatchSchema,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../shared/schemas/settings';
import type { WarningCenter } from '../app/warnings';
import type { EventBus } from '../events/event-bus';
import { JsonStore } from '../store/json-store';

export const SETTINGS_FILE = 'settings.json';

export interface SettingsServiceDeps {
  dataDir: string;
  bus: EventBus;
  warnings: WarningCenter;
  logger: Logger;
}

/** Settings in `DATA_DIR/settings.json`; each section is patched field by field. */
export class SettingsService {
  private readonly store: JsonStore<typeof settingsSchema>;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.store = new JsonStore({
      path: join(deps.dataDir, SETTINGS_FILE),
      schema: settingsSchema,
      defaults: defaultSettings,
      label: 'Settings',
      warningCode: 'SETTINGS_CORRUPT',
      logger: deps.logger,
      warnings: deps.warnings,
    });
  }

  get filePath(): string {
    return this.store.path;
  }

  start(): Promise<void> {
    return this.store.load();
  }

  stop(): Promise<void> {
    return this.store.flush();
  }

  get(): Settings {
    return this.store.get();
  }

  /** Changes one after another: each merges into what the one before it saved. */
  private updates: Promise<unknown> = Promise.resolve();

  update(patch: SettingsPatch): Promise<Settings> {
    const next = this.updates.catch(() => undefined).then(() => this.apply(patch));
    this.updates = next;
    return next;
  }

  private async apply(patch: SettingsPatch): Promise<Settings> {
    const checked = settingsPatchSchema.safeParse(patch);
    if (!checked.success) throw invalidInput(checked.error, 'settings change');
    const current = this.store.get();
    // Every section, field by field: a section added to the schema is merged without a change here.
    const merged: Record<string, unknown> = { ...current };
    for (const [section, fields] of Object.entries(checked.data))
      merged[section] = { ...(current[section as keyof Settings] as object), ...fields };
    const next = await this.store.replace(merged);
    this.deps.logger.info({ changed: Object.keys(checked.data) }, 'Settings changed');
    this.deps.bus.emit('settings.changed', next);
    return next;
  }
}
