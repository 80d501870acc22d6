// The shopper's path through the local platform in Debian's headless Chromium, driven by
// playwright-core from the root node_modules. Prints one JSON document of what it saw; the
// pytest side (test_local_platform.py) asserts on it and on PostgreSQL.
//
//   node tests/e2e/storefront_flow.mjs <site url> <sku> <artifacts dir>
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, sku, artifacts] = process.argv.slice(2);
if (!url || !sku || !artifacts) {
  console.error('usage: storefront_flow.mjs <site url> <sku> <artifacts dir>');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
// Software WebGL (no GPU here), no sandbox (root in a container), nothing phoning home.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const TIMEOUT_MS = 60_000;

/** Share of pixels unlike the background (the most common colour), and how many colours. */
async function pixelStats(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const background = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const [br, bg, bb] = [(background >> 16) & 255, (background >> 8) & 255, background & 255];
    let covered = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb) > 30) covered += 1;
      colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    }
    return { covered: covered / (data.length / 4), colours: colours.size };
  }, png.toString('base64'));
}

await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
const result = { errors: [], glbRequests: [], apiCalls: [], timings: {} };
const started = Date.now();
const mark = (name) => { result.timings[name] = Date.now() - started; };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (error) => result.errors.push(error.message));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.glb')) result.glbRequests.push(path);
    if (path.startsWith('/api/')) result.apiCalls.push(`${request.method()} ${path}`);
  });

  mark('browser');
  await page.goto(url);
  await page.locator(`[data-testid=product-card][data-sku="${sku}"] a`).click();
  const canvas = page.getByTestId('viewer-canvas');
  await page.locator('[data-testid=viewer-canvas][data-lod=high][data-first-render=true]').waitFor();
  mark('high LOD shown');
  result.trace = await page.evaluate(() => window.__shop3d);
  const png = await canvas.screenshot({ path: join(artifacts, 'e2e-viewer.png') });
  result.pixels = await pixelStats(page, png);
  await page.screenshot({ path: join(artifacts, 'e2e-product.png') });

  mark('screenshots');
  await page.getByTestId('add-to-cart').click();
  await page.locator('[data-testid=cart-count]', { hasText: '1' }).waitFor();
  await page.getByTestId('cart-link').click();
  await page.getByTestId('cart-line').first().waitFor();
  result.cartLines = await page.getByTestId('cart-line').count();
  await page.screenshot({ path: join(artifacts, 'e2e-cart.png') });

  await page.getByTestId('checkout-button').click();
  await page.getByTestId('order-id').waitFor();
  await page.locator('[data-testid=order-status]', { hasText: /\S/ }).waitFor();
  result.orderId = (await page.getByTestId('order-id').textContent()).trim();
  result.orderStatus = (await page.getByTestId('order-status').textContent()).trim();
  mark('order');
  await page.screenshot({ path: join(artifacts, 'e2e-order.png') });
} catch (error) {
  result.failure = String(error?.stack ?? error);
} finally {
  await browser.close();
}
await writeFile(join(artifacts, 'e2e-result.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
