import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { ContainerAudit } from '../../src/shared/schemas/container-audit';
import type { Session } from '../../src/shared/schemas/sessions';
import { auditContainer } from '../../src/main/services/container-audit/checks';
import { startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text } from '../helpers/scripted-llm';
import { ensureBusyboxImage } from '../helpers/test-image';

const runDocker = requirePart('Docker', dockerRequirement());

/**
 * The guide's "Security Audit Marks Containers as Non-Compliant": a container aigo started
 * audits compliant; one whose environment, mounts or confinement differ — or one aigo did not
 * start — is non-compliant, named by the failed check, stopped, and audited as a violation.
 */
describe.runIf(runDocker)('the periodic security audit (real engine)', () => {
  const docker = new Docker();
  let app: Awaited<ReturnType<typeof startAgentApp>>;
  let installId: string;
  const rogues: Docker.Container[] = [];

  beforeAll(async () => {
    app = await startAgentApp(() => ({ blocks: [text('late')], delayMs: 60_000 }));
    installId = (await readFile(join(app.dataDir, 'install-id'), 'utf8')).trim();
  });
  afterAll(async () => {
    for (const c of rogues) await c.remove({ force: true }).catch(() => undefined);
    await app?.stop();
  });

  /** A container labelled as one of this aigo's agents, hardened as agents are, plus `change`. */
  const rogue = async (name: string, change: (o: Docker.ContainerCreateOptions) => void) => {
    const options: Docker.ContainerCreateOptions = {
      name: `aigo-main-20261129-000000-${name}-test`,
      Image: ensureBusyboxImage(),
      Cmd: ['sleep', '120'],
      User: '1000:1000',
      Labels: { 'org.aigo.install': installId, 'org.aigo.kind': 'agent' },
      Env: ['AIGO_SESSION=x'],
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        PidsLimit: 64,
      },
    };
    change(options);
    const container = await docker.createContainer(options);
    rogues.push(container);
    await container.start();
    return container;
  };

  it("audits aigo's own session container as compliant, and keeps it running", async () => {
    const session = (await app.call('sessions.create', { prompt: 'wait' })) as Session;
    await expect
      .poll(async () => ((await app.call('sessions.get', { id: session.id })) as Session).state, {
        timeout: 30_000,
      })
      .toBe('running');
    const audit = (await app.call('securityAudit.run')) as ContainerAudit;
    const mine = audit.containers.find((c) => c.session === session.id);
    expect(mine, JSON.stringify(audit, null, 1)).toBeDefined();
    expect(mine?.checks.filter((k) => !k.ok)).toEqual([]);
    expect(mine).toMatchObject({ compliant: true, action: 'none' });
    // The same container against a launch record it no longer matches: a mount and a variable
    // that were not there at launch are each named.
    const record = app.core.services.sessions.liveLaunches().find((r) => r.session === session.id);
    const info = await docker.getContainer(record!.containerId).inspect();
    const image = (await docker.getImage(info.Image).inspect()).Config.Env ?? [];
    const tampered = auditContainer(
      info,
      { ...record!, mounts: record!.mounts.slice(1), env: [...record!.env, 'TZ=Mars/Olympus'] },
      image,
      [],
      { podman: app.core.services.runtime.status().product === 'Podman' },
    );
    expect(
      tampered
        .filter((k) => !k.ok)
        .map((k) => k.id)
        .sort(),
    ).toEqual(['env-unchanged', 'mounts-as-launched']);
    expect(tampered.find((k) => k.id === 'mounts-as-launched')?.actual).toMatch(/^extra: /);
    await app.call('sessions.stop', { id: session.id });
  });

  it.each([
    [
      'extra-env',
      (o: Docker.ContainerCreateOptions): void => void o.Env?.push('SNEAKY=1'),
      'env-approved-only',
    ],
    [
      'real-key',
      (o: Docker.ContainerCreateOptions): void =>
        void o.Env?.push(
          'ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF',
        ),
      'env-api-key-placeholder',
    ],
    [
      'data-mount',
      (o: Docker.ContainerCreateOptions): void => {
        o.HostConfig!.Binds = [`${app.dataDir}:/host-data:ro`];
      },
      'mounts-no-protected-path',
    ],
    [
      'cap-add',
      (o: Docker.ContainerCreateOptions): void => {
        o.HostConfig!.CapAdd = ['NET_ADMIN'];
      },
      'no-capabilities',
    ],
    [
      'privileged',
      (o: Docker.ContainerCreateOptions): void => {
        o.HostConfig!.Privileged = true;
      },
      'not-privileged',
    ],
  ] as const)(
    'reports %s as non-compliant, names the check, stops it, and audits a violation',
    async (name, change, failing) => {
      const container = await rogue(name, change);
      const audit = (await app.call('securityAudit.run')) as ContainerAudit;
      const found = audit.containers.find((c) => c.container === container.id);
      expect(found).toMatchObject({ compliant: false, action: 'stopped' });
      const failed = found?.checks.filter((k) => !k.ok).map((k) => k.id) ?? [];
      expect(failed).toContain('launched-by-aigo'); // aigo never started it
      expect(failed).toContain(failing);
      expect(JSON.stringify(found)).not.toContain('sk-ant-api03-abcdefghij'); // keys only as fingerprints
      await expect.poll(async () => (await container.inspect()).State.Running).toBe(false);
      const res = await fetch(
        `${app.url}/api/v1/container/audit-log?severity=violation&category=security-audit`,
        {
          headers: { authorization: `Bearer ${app.core.token}` },
        },
      );
      const { entries } = (await res.json()) as { entries: AuditEntry[] };
      const entry = entries.find((e) => e.container === found?.name);
      expect(entry?.message).toContain('is non-compliant');
      expect((entry?.details.failed as string[]) ?? []).toEqual(failed);
      // Health (and aigo doctor) show it with the guide's fix.
      const { items } = (await app.call('app.diagnostics')) as {
        items: { id: string; fix: string[] }[];
      };
      const health = items.find((i) => i.id === `security-audit-${container.id}`);
      expect(health?.fix.join(' ')).toContain('ANTHROPIC_API_KEY');
    },
  );
});
