import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../test/helpers/requirements';

export const ARTIFACTS = join(import.meta.dirname, 'artifacts');

/** Debian's Chromium, headless, with the flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The whole page as a window that tall would show it. A full-page capture alone keeps the
 * viewport, so the sticky status strip would be drawn mid-page over the content.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height)
    await page.setViewportSize({ width: viewport.width, height });
  try {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  } finally {
    if (viewport && height > viewport.height) await page.setViewportSize(viewport);
  }
}

/** Collects page errors so a test can assert the UI ran without exceptions. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
