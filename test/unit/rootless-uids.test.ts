import { describe, expect, it } from 'vitest';
import { hostUidOf, rootlessDiagnostic } from '../../src/main/services/runtime/rootless-uids';

const SUBUID = 'alice:100000:65536\n1001:165536:65536\n';

describe('rootless engines: what the agent uid becomes', () => {
  it("maps a container uid into the user's subordinate range", () => {
    expect(hostUidOf(SUBUID, { name: 'alice', uid: 1000 })).toBe(100999);
    expect(hostUidOf(SUBUID, { name: 'bob', uid: 1001 })).toBe(166535); // listed by uid
    expect(hostUidOf(SUBUID, { name: 'alice', uid: 1000 }, 0)).toBe(1000); // root is the user
    expect(hostUidOf(SUBUID, { name: 'carol', uid: 1002 })).toBeNull();
    expect(hostUidOf('alice:100000:500', { name: 'alice', uid: 1000 })).toBeNull(); // too small
  });

  it('Health explains it for a rootless engine, with the way to take files back', async () => {
    const note = await rootlessDiagnostic(
      { available: true, rootless: true, product: 'Podman' },
      async () => SUBUID,
      { name: 'alice', uid: 1000 },
    );
    expect(note).toMatchObject({ status: 'info', area: 'runtime' });
    expect(note?.title).toContain('uid 100999');
    expect(note?.detail).toContain('podman unshare chown -R 0:0 <folder>');
    expect(
      await rootlessDiagnostic(
        { available: true, rootless: false, product: 'Podman' },
        async () => SUBUID,
        {
          name: 'alice',
          uid: 1000,
        },
      ),
    ).toBeNull();
  });
});
