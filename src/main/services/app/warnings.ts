import { randomUUID } from 'node:crypto';
import type { AppWarning } from '../../../shared/schemas/app';
import type { EventBus } from '../events/event-bus';

/** Problems the user must see (a corrupt settings file set aside, …) until they dismiss them. */
export class WarningCenter {
  private warnings: AppWarning[] = [];

  constructor(private readonly bus: EventBus) {}

  /** Shown once: the same warning again (a retry failing the same way) is not repeated. */
  add(code: string, message: string, details?: Record<string, unknown>): AppWarning {
    const same = this.warnings.find((w) => w.code === code && w.message === message);
    if (same) return same;
    const warning: AppWarning = {
      id: randomUUID(),
      time: new Date().toISOString(),
      code,
      message,
      ...(details ? { details } : {}),
    };
    this.warnings.push(warning);
    this.bus.emit('app.warning', warning);
    this.bus.emit('app.warningsChanged', { warnings: this.list() });
    return warning;
  }

  /** The cause went away (the proxy started after all): its warnings go too. */
  resolve(code: string): void {
    const before = this.warnings.length;
    this.warnings = this.warnings.filter((w) => w.code !== code);
    if (this.warnings.length !== before)
      this.bus.emit('app.warningsChanged', { warnings: this.list() });
  }

  list(): AppWarning[] {
    return [...this.warnings];
  }

  dismiss(id: string): boolean {
    const before = this.warnings.length;
    this.warnings = this.warnings.filter((w) => w.id !== id);
    const removed = this.warnings.length !== before;
    if (removed) this.bus.emit('app.warningsChanged', { warnings: this.list() });
    return removed;
  }
}
