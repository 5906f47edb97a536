import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import type { AppError } from '../../src/shared/errors';
import { auditQuerySchema } from '../../src/shared/schemas/audit';
import { startMountService } from '../helpers/mount-service';
import { tempDir } from '../helpers/temp';

/** What a careless user types into Mount Security is said back, not silently accepted. */
describe('mount policy input', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let service: MountSecurityService;
  let audit: AuditLog;
  let stop: () => Promise<void>;
  let code: string;

  beforeAll(async () => {
    t = await tempDir('aigo-policy-');
    code = join(t.path, 'code');
    await mkdir(join(code, 'app'), { recursive: true });
    ({ service, audit, stop } = await startMountService({
      dataDir: join(t.path, 'data'),
      home: join(t.path, 'home'),
      auditDir: join(t.path, 'audit'),
    }));
  });
  afterAll(async () => {
    await stop();
    await t.cleanup();
  });

  const refused = (input: Parameters<MountSecurityService['update']>[0]) =>
    service.update(input).then(
      () => 'accepted',
      (e: unknown) => (e as AppError).message,
    );
  const root = (path: string) => ({ path, allowReadWrite: false, description: '' });

  it('refuses a root listed twice, a built-in pattern again, a duplicate and glob syntax aigo lacks', async () => {
    expect(await refused({ allowedRoots: [root(code), root(`${code}/`)] })).toContain(
      'listed twice',
    );
    expect(await refused({ allowedRoots: [], blockedPatterns: ['.env'] })).toContain(
      'is a built-in pattern already',
    );
    expect(await refused({ allowedRoots: [], blockedPatterns: ['*.bak', '*.BAK'] })).toContain(
      'twice',
    );
    expect(await refused({ allowedRoots: [], blockedPatterns: ['[ab].txt'] })).toContain(
      'only * (any characters) and ? (one character)',
    );
    expect(service.policy().allowedRoots).toEqual([]);
  });

  it('records the change in words, and says when a root lies inside another', async () => {
    await service.update({
      allowedRoots: [root(code), { ...root(join(code, 'app')), allowReadWrite: true }],
      blockedPatterns: ['*.bak'],
    });
    const [entry] = (
      await audit.query(auditQuerySchema.parse({ category: 'mounts', severity: 'info' }))
    ).entries;
    expect(entry?.message).toContain(`added root ${code} (read-only)`);
    expect(entry?.message).toContain(`added root ${join(code, 'app')} (read-write)`);
    expect(entry?.message).toContain('added pattern *.bak');
    expect(entry?.message).toContain(`note: ${join(code, 'app')} lies inside ${code}`);
  });
});
