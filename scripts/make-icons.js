// Renders every icon in build/ from the one source image, build/icon.svg, with Chromium (the
// same Debian chromium the browser tests use): the app icon at the sizes electron-builder and
// the Linux desktop want, and the tray icon in its three states (a dot for warning or problem).
// Run after changing the SVG: `node scripts/make-icons.js`; the PNGs are committed.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'build');
const svg = await readFile(join(build, 'icon.svg'), 'utf8');
const dot = { ok: null, warning: '#f0a020', problem: '#e0383e' };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage();

async function render(size, file, color = null) {
  const badge = color
    ? `<div style="position:absolute;right:0;bottom:0;width:${size * 0.42}px;height:${size * 0.42}px;border-radius:50%;background:${color};box-shadow:0 0 0 ${Math.max(1, size * 0.06)}px #fff"></div>`
    : '';
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent"><div style="position:relative;width:${size}px;height:${size}px">
      <img style="width:${size}px;height:${size}px;display:block" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">${badge}</div></body></html>`,
  );
  await page.screenshot({ path: file, omitBackground: true });
}

await mkdir(join(build, 'icons'), { recursive: true });
await mkdir(join(build, 'tray'), { recursive: true });
await render(1024, join(build, 'icon.png'));
for (const size of [16, 32, 48, 64, 128, 256, 512])
  await render(size, join(build, 'icons', `${size}x${size}.png`));
for (const [state, color] of Object.entries(dot)) {
  await render(16, join(build, 'tray', `tray-${state}.png`), color);
  await render(32, join(build, 'tray', `tray-${state}@2x.png`), color);
}
await browser.close();
console.log('icons written to build/icon.png, build/icons/ and build/tray/');
