import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, dockerRequirement, requirePart } from '../test/helpers/requirements';
import { type ServeProcess } from '../test/helpers/serve-process';
import { startE2eApp, type E2eApp } from './fixture';
import { screenshot, watchErrors } from './browser';

const run =
  requirePart('Chromium', chromiumRequirement()) && requirePart('Docker', dockerRequirement());

describe.runIf(run)('Settings > Container > Mount Security in the browser', () => {
  let app: E2eApp;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let projects: string;

  beforeAll(async () => {
    app = await startE2eApp({
      dataSubdir: 'data',
      prepare: async (dir) => {
        await chmod(dir, 0o755);
        projects = join(dir, 'projects');
        await mkdir(join(projects, 'app/.ssh'), { recursive: true });
        await mkdir(join(dir, 'elsewhere'), { recursive: true });
        await writeFile(join(projects, 'app/.env'), 'SECRET=1');
        await writeFile(join(projects, 'app/main.py'), 'print(1)');
      },
    });
    ({ serve, browser } = app);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });
  afterAll(() => app?.stop());

  const testPath = async (path: string) => {
    await page.getByTestId('test-path').fill(path);
    await page.getByTestId('test-run').click();
  };

  it('adds an allowed root, then tests an allowed path, a blocked one and one outside every root', async () => {
    const errors = watchErrors(page);
    await page.goto(serve.uiLink);
    await page.getByTestId('nav-container').click();
    await page.getByTestId('tab-mounts').click();
    await expect.poll(() => page.getByText('No allowed roots yet').count()).toBe(1);

    await page.getByTestId('root-path').fill(projects);
    await page.getByLabel('Description').fill('Code');
    await page.getByTestId('root-add').click();
    await expect.poll(() => page.getByTestId('allowed-root').count()).toBe(1);
    expect(await page.getByTestId('allowed-root').textContent()).toContain(projects);
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Saved.');

    await testPath(join(projects, 'app'));
    await expect.poll(() => page.getByTestId('verdict-badge').textContent()).toBe('Allowed');
    const masked = await page.getByTestId('verdict-masked').textContent();
    expect(masked).toContain('.env');
    expect(masked).toContain('.ssh');
    await screenshot(page, 'mount-security-allowed');

    await testPath(join(projects, 'app/.env'));
    await expect.poll(() => page.getByTestId('verdict-badge').textContent()).toBe('Refused');
    expect(await page.getByTestId('verdict-reason').textContent()).toMatch(
      /^Path contains blocked pattern "\.env"/,
    );
    expect(await page.getByTestId('verdict').textContent()).toContain(
      'copy only the necessary files to an approved location',
    );
    await screenshot(page, 'mount-security-blocked');

    await testPath(join(app.dir, 'elsewhere'));
    await expect
      .poll(() => page.getByTestId('verdict-reason').textContent())
      .toMatch(/^Path not under any allowed root/);
    expect(await page.getByTestId('verdict').textContent()).toContain('Add the parent directory');
    expect(errors).toEqual([]);
  });

  it('asks before adding a broad root, and adds nothing when cancelled', async () => {
    await page.getByTestId('root-path').fill(homedir());
    await page.getByTestId('root-add').click();
    await expect
      .poll(() => page.getByTestId('broad-confirm').textContent())
      .toContain('is a broad root');
    await screenshot(page, 'mount-security-broad');
    await page.getByTestId('broad-confirm').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('broad-confirm').count()).toBe(0);
    const policy = (await (await app.api('GET', `/api/v1/container/mount-security`)).json()) as {
      policy: { allowedRoots: { path: string }[] };
    };
    expect(policy.policy.allowedRoots.map((r) => r.path)).toEqual([projects]);
    expect(await page.getByTestId('allowed-root').count()).toBe(1);
  });

  it('adds and removes a blocked pattern, which applies at once', async () => {
    await page.getByLabel('New blocked pattern').fill('main.py');
    await page.getByRole('button', { name: 'Add pattern' }).click();
    await expect.poll(() => page.getByTestId('user-pattern').count()).toBe(1);
    await testPath(join(projects, 'app/main.py'));
    await expect
      .poll(() => page.getByTestId('verdict-reason').textContent())
      .toContain('"main.py"');
    await page.getByRole('button', { name: 'Remove main.py' }).click();
    await expect.poll(() => page.getByTestId('user-pattern').count()).toBe(0);
    // The verdict on screen follows the policy by itself: no stale "Refused".
    await expect.poll(() => page.getByTestId('verdict-badge').textContent()).toBe('Allowed');
    await screenshot(page, 'mount-security');
  });

  it('refuses / as a root outright, naming the system folder', async () => {
    await page.getByTestId('root-path').fill('/');
    await page.getByTestId('root-add').click();
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('system folder');
    expect(await page.getByTestId('broad-confirm').count()).toBe(0);
    expect(await page.getByTestId('allowed-root').count()).toBe(1);
  });

  it('shows a root whose symlink was repointed as admitting nothing, until Re-confirm', async () => {
    const link = join(app.dir, 'current');
    await mkdir(join(app.dir, 'v1'), { recursive: true });
    await mkdir(join(app.dir, 'v2/data'), { recursive: true });
    await symlink(join(app.dir, 'v1'), link);
    const current = (await (await app.api('GET', '/api/v1/container/mount-security')).json()) as {
      policy: { allowedRoots: unknown[] };
    };
    const saved = await app.api('PUT', '/api/v1/container/mount-security', {
      ...current.policy,
      allowedRoots: [...current.policy.allowedRoots, { path: link }],
    });
    expect(saved.status).toBe(200);
    await rm(link);
    await symlink(join(app.dir, 'v2'), link);
    await page.reload();
    await page.getByTestId('tab-mounts').click();
    await expect
      .poll(() => page.getByTestId('root-problem').textContent())
      .toContain('now resolves to');
    await testPath(join(link, 'data'));
    await expect
      .poll(() => page.getByTestId('verdict-reason').textContent())
      .toContain('admits nothing until you confirm it again');
    await screenshot(page, 'mount-security-moved-root');
    await page.getByTestId('root-reconfirm').click();
    await expect.poll(() => page.getByTestId('root-problem').count()).toBe(0);
    await testPath(join(link, 'data'));
    await expect.poll(() => page.getByTestId('verdict-badge').textContent()).toBe('Allowed');
  });
});
