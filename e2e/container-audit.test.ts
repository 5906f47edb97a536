import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerAudit } from '../src/shared/schemas/container-audit';
import type { Session } from '../src/shared/schemas/sessions';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { startScriptedLlm, text } from '../test/helpers/scripted-llm';
import { ensureBusyboxImage } from '../test/helpers/test-image';
import { waitUntil } from '../test/helpers/wait';
import { screenshot, watchErrors } from './browser';
import { startAgentE2eApp, type E2eApp } from './fixture';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

/**
 * Settings > Security > Container security audit against the real core and engine: aigo's own
 * session container audits compliant; a container labelled as this aigo's agent that aigo did not
 * start, with a variable added, is non-compliant, named by its failed check, and stopped.
 */
describe.runIf(run)('the container security audit in the browser', () => {
  const docker = new Docker();
  let app: E2eApp;
  let page: Page;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>>;
  let session: Session | null = null;
  let rogue: Docker.Container | null = null;

  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await app.api(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const sessionState = async (id: string) =>
    (await json<Session>('GET', `/api/v1/container/sessions/${id}`)).state;
  const row = (container: string) =>
    page.locator(`[data-testid="audit-container"][data-container="${container}"]`);

  beforeAll(async () => {
    // The model holds the session's first request, so its container keeps running.
    llm = await startScriptedLlm(() => ({ blocks: [text('late')], delayMs: 60_000 }));
    app = await startAgentE2eApp(llm.url);
    session = await json<Session>('POST', '/api/v1/container/sessions', { prompt: 'wait' });
    const id = session.id;
    await waitUntil(async () => (await sessionState(id)) === 'running', 'the session', 30_000);
    page = await app.browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterAll(async () => {
    await rogue?.remove({ force: true }).catch(() => undefined);
    await app?.stop();
    await llm?.close();
  });

  it("shows aigo's session compliant and a rogue container non-compliant, stopped", async () => {
    const errors = watchErrors(page);
    await page.goto(app.serve.uiLink);
    await page.getByTestId('nav-security').click();
    const card = page.getByTestId('container-audit');
    await card.waitFor();

    // A container labelled as one of this aigo's agents, which aigo never started, with a
    // variable added; otherwise hardened as agents are.
    const installId = (await readFile(join(app.dataDir, 'install-id'), 'utf8')).trim();
    rogue = await docker.createContainer({
      name: `aigo-e2e-rogue-${Date.now().toString(36)}`,
      Image: ensureBusyboxImage(),
      Cmd: ['sleep', '120'],
      User: '1000:1000',
      Labels: { 'org.aigo.install': installId, 'org.aigo.kind': 'agent' },
      Env: ['SNEAKY=1'],
      HostConfig: {
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        PidsLimit: 64,
      },
    });
    await rogue.start();

    await page.getByTestId('audit-run').click();
    const bad = row(rogue.id);
    await expect.poll(() => bad.getAttribute('data-compliant'), { timeout: 30_000 }).toBe('false');
    expect(await bad.getAttribute('data-action')).toBe('stopped');
    expect(await bad.getByTestId('audit-action').textContent()).toBe('stopped');
    expect(await bad.getByTestId('audit-verdict').textContent()).toBe('non-compliant');
    const envCheck = bad.locator('[data-testid="audit-check"][data-check="env-approved-only"]');
    expect(await envCheck.getAttribute('data-ok')).toBe('false');
    expect(await envCheck.isVisible()).toBe(true);
    const envText = (await envCheck.textContent()) ?? '';
    expect(envText).toContain('expected');
    expect(envText).toContain('SNEAKY');
    // Failed checks come first and show; the passed ones wait behind "N checks passed".
    const checks = await bad
      .getByTestId('audit-check')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-ok')));
    expect(checks.indexOf('true')).toBeGreaterThan(checks.lastIndexOf('false'));
    const passed = checks.filter((ok) => ok === 'true').length;
    expect(await bad.getByTestId('audit-passed').locator('summary').textContent()).toBe(
      `${passed} checks passed`,
    );
    expect(
      await bad.locator('[data-testid="audit-check"][data-ok="true"]').first().isVisible(),
    ).toBe(false);
    await expect
      .poll(async () => (await rogue!.inspect()).State.Running, { timeout: 30_000 })
      .toBe(false);

    // aigo's own session container: compliant, left running, linked to its session.
    const mine = page.locator('[data-testid="audit-container"]', {
      has: page.locator(`a[href="#/cowork/${session!.id}"]`),
    });
    expect(await mine.getAttribute('data-compliant')).toBe('true');
    expect(await mine.getAttribute('data-action')).toBe('none');
    expect(await mine.locator('[data-testid="audit-check"][data-ok="false"]').count()).toBe(0);
    expect(await sessionState(session!.id)).toBe('running');

    // The guide's fixes, and the audit log below filtered to the audit's entries.
    const fixes = (await page.getByTestId('container-audit-fixes').textContent()) ?? '';
    expect(fixes).toContain('especially ANTHROPIC_API_KEY');
    expect(fixes).toContain('Check that mounts have not changed since the container started');
    await page.getByTestId('container-audit-show-log').click();
    expect(await page.getByLabel('Category').inputValue()).toBe('security-audit');
    await expect
      .poll(() => page.getByTestId('audit-log').textContent())
      .toContain(`Container ${await bad.getByTestId('audit-container-name').textContent()} is`);
    const last = (await page.getByTestId('container-audit-last-run').textContent()) ?? '';
    expect(last).toContain('just now');
    expect(await page.getByTestId('container-audit-next-run').textContent()).toMatch(/in \d/);
    await screenshot(page, 'container-audit');
    expect(errors).toEqual([]);
  });

  it('saves the interval and the stop setting', async () => {
    await page.getByTestId('container-audit-interval').fill('2');
    await page.getByTestId('container-audit-stop').uncheck();
    await page.getByTestId('container-audit-save').click();
    await expect
      .poll(async () => (await json<{ security: unknown }>('GET', '/api/v1/settings')).security)
      .toEqual({ auditIntervalMinutes: 2, stopNonCompliant: false });
    await expect.poll(() => page.getByTestId('container-audit-save').isDisabled()).toBe(true);
  });

  it('shows the empty state, live, once the session has stopped', async () => {
    await json('DELETE', `/api/v1/container/sessions/${session!.id}`);
    await expect.poll(() => sessionState(session!.id), { timeout: 30_000 }).toBe('ended');
    // An audit run elsewhere (the API, as the CLI would) reaches the page as an event.
    await expect
      .poll(
        async () =>
          (await json<ContainerAudit>('POST', '/api/v1/container/security-audit/run', {}))
            .containers.length,
        { timeout: 30_000 },
      )
      .toBe(0);
    await expect
      .poll(() => page.getByTestId('container-audit-empty').textContent())
      .toBe(
        'No agent containers are running; the audit checks each one at start, after every ' +
          'container start, and every 2 minutes.',
      );
    expect(await page.getByTestId('audit-container').count()).toBe(0);
  });
});
