// Renders one GLB with the storefront's viewer (dist/poster.html) in headless Chromium and
// writes a square PNG (alpha kept when the background is transparent). Files are served to the
// page through request routing, so no server or port is needed.
//
//   node storefront/tools/render_poster.mjs <dist dir> <glb> <out.png> <px> <transparent|viewer> <gpu|cpu>
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const [dist, glb, out, px, background, compute] = process.argv.slice(2);
if (!dist || !glb || !out || !px || !background || !compute) {
  console.error('usage: render_poster.mjs <dist> <glb> <out.png> <px> <transparent|viewer> <gpu|cpu>');
  process.exit(2);
}
const ORIGIN = 'http://poster.invalid';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const COMMON = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
// GPU: ANGLE on the instance's GPU through EGL; CPU: SwiftShader, as in the e2e tests.
const ARGS = compute === 'gpu'
  ? [...COMMON, '--use-angle=gl-egl', '--ignore-gpu-blocklist', '--enable-gpu-rasterization']
  : [...COMMON, '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const size = Number(px);

process.on('unhandledRejection', (failure) => {
  // One line for the job's log and the retry's reason, not a Node stack.
  console.error(failure instanceof Error ? failure.message : String(failure));
  process.exit(1);
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/model.glb') {
      return route.fulfill({ body: await readFile(glb), contentType: 'model/gltf-binary' });
    }
    const file = normalize(join(dist, path));
    if (!file.startsWith(normalize(dist))) {
      return route.fulfill({ status: 404 });
    }
    try {
      return route.fulfill({ body: await readFile(file), contentType: TYPES[extname(file)] ?? 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${ORIGIN}/poster.html?model=/model.glb&background=${background}`);
  await page.waitForFunction(() => document.body.dataset.poster !== undefined, null, { timeout: 120_000 });
  const state = await page.evaluate(() => ({ ...document.body.dataset }));
  if (state.poster !== 'ready') {
    throw new Error(`poster page failed: ${state.posterError} ${errors.join('; ')}`);
  }
  const png = await page.locator('canvas').screenshot({ omitBackground: background === 'transparent', type: 'png' });
  await writeFile(out, png);
  console.log(JSON.stringify({ lighting: state.lighting, bytes: png.length }));
} finally {
  await browser.close();
}
