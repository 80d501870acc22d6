// A shopper buys a variant in Debian's headless Chromium (playwright-core): the product page's
// variant picker, the model switched to that variant, the cart line and the order. Prints one
// JSON document of what it saw; test_variant_browser.py asserts on it and on PostgreSQL.
//
//   node tests/sellers/variant_flow.mjs <site url> <sku> <variant label> <artifacts dir>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, sku, variant, artifacts] = process.argv.slice(2);
if (!url || !sku || !variant || !artifacts) {
  console.error('usage: variant_flow.mjs <site url> <sku> <variant label> <artifacts dir>');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const TIMEOUT_MS = 90_000;

await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
const result = { errors: [], glbRequests: [], added: null };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (error) => result.errors.push(error.message));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) result.errors.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.glb')) result.glbRequests.push(path);
    if (request.method() === 'POST' && path === '/api/cart/items') result.added = JSON.parse(request.postData() ?? 'null');
  });
  await page.goto(url);
  await page.locator(`[data-testid=product-card][data-sku="${sku}"] a`).click();
  await page.locator('[data-testid=viewer-canvas][data-first-render=true]').waitFor();
  const choice = page.getByTestId('variant-choice');
  result.options = await choice.locator('option').allTextContents();
  result.shownFirst = await page.getByTestId('viewer-canvas').getAttribute('data-variant');
  result.priceFirst = (await page.getByTestId('product-price').textContent()).trim();
  const glbsBefore = result.glbRequests.length;
  await choice.selectOption({ label: result.options.find((o) => o.startsWith(variant)) });
  await page.locator(`[data-testid=viewer-canvas][data-variant="${variant}"]`).waitFor();
  result.glbsAfterSwitch = result.glbRequests.length - glbsBefore;
  result.price = (await page.getByTestId('product-price').textContent()).trim();
  await page.getByTestId('viewer-canvas').screenshot({ path: join(artifacts, 'variant-viewer.png') });

  await page.getByTestId('add-to-cart').click();
  await page.locator('[data-testid=cart-count]', { hasText: '1' }).waitFor();
  await page.getByTestId('cart-link').click();
  const line = page.getByTestId('cart-line').first();
  await line.waitFor();
  result.cartLine = { sku: await line.getAttribute('data-sku'), label: (await line.locator('.name').textContent()).trim() };
  await page.getByTestId('checkout-button').click();
  await page.getByTestId('order-id').waitFor();
  result.orderId = (await page.getByTestId('order-id').textContent()).trim();
  await page.screenshot({ path: join(artifacts, 'variant-order.png') });
} catch (error) {
  result.failure = String(error?.stack ?? error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
