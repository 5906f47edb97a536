import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { EventBus } from '../../src/main/services/events/event-bus';
import { SettingsService } from '../../src/main/services/settings/settings-service';
import { AppError } from '../../src/shared/errors';
import { silentLogger, tempDir } from '../helpers/temp';

describe('SettingsService', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bus: EventBus;
  let warnings: WarningCenter;
  const make = () =>
    new SettingsService({ dataDir: dir.path, bus, warnings, logger: silentLogger() });

  beforeEach(async () => {
    dir = await tempDir();
    bus = new EventBus();
    warnings = new WarningCenter(bus);
  });
  afterEach(() => dir.cleanup());

  it('starts on defaults and writes them', async () => {
    const s = make();
    await s.start();
    expect(s.get().advanced.debugLogging).toBe(false);
    expect(JSON.parse(await readFile(join(dir.path, 'settings.json'), 'utf8'))).toEqual(s.get());
  });

  it('merges a patch, persists it, and announces it', async () => {
    const s = make();
    await s.start();
    const seen: boolean[] = [];
    bus.on('settings.changed', (next) => seen.push(next.advanced.debugLogging));
    await s.update({ advanced: { debugLogging: true } });
    await s.update({ runtime: { preferred: 'docker' } });
    const reloaded = make();
    await reloaded.start();
    expect(reloaded.get().advanced.debugLogging).toBe(true);
    expect(reloaded.get().runtime.preferred).toBe('docker');
    expect(seen).toEqual([true, true]);
    expect((await readdir(dir.path)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the fields a patch does not name as they are', async () => {
    const s = make();
    await s.start();
    await s.update({
      image: { baseImage: 'my-registry/base:1' },
      runtime: { dockerHost: 'unix:///x.sock' },
    });
    await s.update({ image: { installTools: false }, runtime: { preferred: 'docker' } });
    expect(s.get().image).toMatchObject({ baseImage: 'my-registry/base:1', installTools: false });
    expect(s.get().runtime).toMatchObject({ dockerHost: 'unix:///x.sock', preferred: 'docker' });
  });

  it('rejects a bad value with the field and reason, and keeps the old value', async () => {
    const s = make();
    await s.start();
    const error = await s
      .update({ runtime: { preferred: 'kubernetes' as never } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_INPUT');
    expect((error as AppError).message).toContain('runtime.preferred');
    expect(s.get().runtime.preferred).toBe('auto');
  });

  it('keeps audit retention as a setting: defaults, a one-field patch, and bounds', async () => {
    await writeFile(join(dir.path, 'settings.json'), JSON.stringify({ advanced: {} }));
    const s = make();
    await s.start();
    expect(s.get().audit).toEqual({ retentionMaxMb: 200, retentionDays: 90 }); // an older file
    await s.update({ audit: { retentionDays: 30 } });
    expect(s.get().audit).toEqual({ retentionMaxMb: 200, retentionDays: 30 });
    for (const audit of [{ retentionMaxMb: 5 }, { retentionDays: 0 }, { retentionDays: 1.5 }]) {
      const error = (await s.update({ audit }).catch((e: unknown) => e)) as AppError;
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain(`audit.${Object.keys(audit)[0]}`);
    }
    expect(s.get().audit.retentionDays).toBe(30);
  });

  it.each([
    ['not JSON', '{"advanced": {"debugLogging": tru'],
    ['a wrong type', JSON.stringify({ advanced: { debugLogging: 'yes' } })],
  ])(
    'sets aside a settings file that is %s, starts on defaults and warns',
    async (_what, content) => {
      await writeFile(join(dir.path, 'settings.json'), content);
      const s = make();
      await s.start();
      expect(s.get().advanced.debugLogging).toBe(false);
      const aside = (await readdir(dir.path)).find((n) => n.startsWith('settings.json.corrupt-'));
      expect(aside).toBeDefined();
      expect(await readFile(join(dir.path, aside as string), 'utf8')).toBe(content);
      const [warning] = warnings.list();
      expect(warning?.code).toBe('SETTINGS_CORRUPT');
      expect(warning?.message).toContain(aside);
      // One sentence each: the reason's own full stop is not doubled.
      expect(warning?.message).not.toMatch(/\.\./);
    },
  );

  it('patches every section, including ones added later, field by field', async () => {
    const s = make();
    await s.start();
    await s.update({ sessions: { maxConcurrent: 1 } });
    expect(s.get().sessions.maxConcurrent).toBe(1);
    await s.update({ advanced: { debugLogging: true } });
    expect(s.get().sessions.maxConcurrent).toBe(1);
    expect(s.get().advanced.debugLogging).toBe(true);
  });

  it('keeps both of two changes made at the same time', async () => {
    const s = make();
    await s.start();
    await Promise.all([
      s.update({ advanced: { debugLogging: true } }),
      s.update({ sessions: { maxConcurrent: 7 } }),
      s.update({ audit: { retentionDays: 30 } }),
    ]);
    expect(s.get()).toMatchObject({
      advanced: { debugLogging: true },
      sessions: { maxConcurrent: 7 },
      audit: { retentionDays: 30 },
    });
    const saved = JSON.parse(await readFile(join(dir.path, 'settings.json'), 'utf8'));
    expect(saved.sessions.maxConcurrent).toBe(7);
    expect(saved.advanced.debugLogging).toBe(true);
  });
});
