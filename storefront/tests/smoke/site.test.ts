import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWER_BACKGROUND } from '../../src/viewer/modelViewer';
import { ContractApi, type CatalogEntry } from '../support/contractApi';
import type { RunningServer } from '../support/httpServer';
import { lodFixture, type LodFixture } from './lodFixture';
import { startSiteServer } from './siteServer';

/**
 * The built site (dist/) in Debian's headless Chromium, served on one origin with the
 * cart API contract and an assets "bucket" holding real LODs made from DamagedHelmet.glb.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const SKU = 'HELMET-1';

let fixture: LodFixture;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: run "npm run build" first (npm test does).`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium".`);
  }
  [fixture, browser] = await Promise.all([
    lodFixture(SKU),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  const catalog: CatalogEntry[] = [
    { sku: SKU, name: 'Damaged Helmet', description: 'Sci-fi helmet (glTF sample by theblueturtle_, CC BY 4.0).', price_minor: 4_999, currency: 'EUR', asset_status: 'READY', manifest_key: fixture.manifestKey },
    { sku: 'LAMP-2', name: 'Brass lamp', description: 'Model still processing.', price_minor: 2_500, currency: 'EUR', asset_status: 'PENDING', manifest_key: null },
  ];
  server = await startSiteServer(DIST, fixture.root, new ContractApi(catalog));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  return { page, errors };
}

/** Share of pixels that differ from the viewer background, and how many colours there are. */
async function pixelStats(page: Page, png: Buffer): Promise<{ covered: number; colours: number }> {
  return page.evaluate(
    async ({ b64, background }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const [br, bg, bb] = [(background >> 16) & 255, (background >> 8) & 255, background & 255];
      let covered = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb) > 30) {
          covered += 1;
        }
        colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
      }
      return { covered: covered / (data.length / 4), colours: colours.size };
    },
    { b64: png.toString('base64'), background: VIEWER_BACKGROUND },
  );
}

describe('storefront in headless Chromium', () => {
  it('lists products and shows the helmet, preview first, swapping in finer LODs', async () => {
    const { page, errors } = await openPage();
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('product-card').count()).toBe(2);
    await page.locator(`[data-testid=product-card][data-sku=${SKU}] a`).click();

    const canvas = page.getByTestId('viewer-canvas');
    await canvas.and(page.locator('[data-lod=high]')).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=viewer-canvas][data-first-render=true]').waitFor();
    await page.getByTestId('viewer-status').and(page.locator('[data-state=done]')).waitFor();

    const trace = await page.evaluate(() => window.__shop3d!);
    expect(trace.lodsRequested[0]).toBe('preview');
    expect(trace.lodsRequested.indexOf('preview')).toBeLessThan(trace.lodsRequested.indexOf('high'));
    const rank = (name: string) => ['preview', 'standard', 'high'].indexOf(name);
    expect(trace.lodsShown.at(-1)).toBe('high');
    expect(trace.lodsShown.map(rank)).toEqual([...trace.lodsShown.map(rank)].sort((a, b) => a - b));
    expect(trace.firstFrameAt).not.toBeNull();
    const glbRequests = server.requests.filter((r) => r.endsWith('.glb')).map((r) => r.split('/').at(-1));
    expect(glbRequests.indexOf('preview.glb')).toBeLessThan(glbRequests.indexOf('high.glb'));

    const png = await canvas.screenshot({ path: join(ARTIFACTS, 'product-desktop.png') });
    const stats = await pixelStats(page, png);
    expect(stats.covered).toBeGreaterThan(0.05); // the helmet covers part of the view
    expect(stats.colours).toBeGreaterThan(100); // textured and lit, not a flat silhouette
    await page.screenshot({ path: join(ARTIFACTS, 'product-page-desktop.png') });

    // Code the first frame does not need stays off the wire: the meshopt decoder (these LODs
    // are Draco) and the pages this visit never showed; orbit controls load after the frame.
    const scripts = server.requests.filter((r) => r.includes('/static/') && r.endsWith('.js')).map((r) => r.split('/').at(-1)!);
    expect(scripts.filter((name) => /^(meshopt_decoder|admin|payment|searchPage|account)[.-]/.test(name))).toEqual([]);
    expect(scripts.some((name) => name.startsWith('OrbitControls-'))).toBe(true);

    // Orbit controls: a drag turns the model, so the picture changes.
    await canvas.and(page.locator('[data-controls=ready]')).waitFor();
    const area = (await canvas.boundingBox())!;
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width / 2 + 150, area.y + area.height / 2, { steps: 2 });
    await page.mouse.up();
    await expect.poll(async () => (await canvas.screenshot()).equals(png), { timeout: 10_000 }).toBe(false);
    await writeFile(join(ARTIFACTS, 'lod-trace.json'), JSON.stringify({ trace, glbRequests, manifest: fixture.manifest }, null, 2));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('adds to cart, changes quantity, shows API problems, removes and checks out', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url.replace(/\/$/, '')}/products/LAMP-2`);
    expect(await page.getByTestId('cart-count').textContent()).toBe('0');
    await expect.poll(() => page.getByTestId('viewer-status').textContent()).toMatch(/being prepared/);
    await page.getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    await page.goto(`${server.url.replace(/\/$/, '')}/products/${SKU}`);
    await page.getByTestId('add-to-cart').click();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('2');

    await page.getByTestId('cart-link').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(2);
    const helmetLine = page.locator(`[data-testid=cart-line][data-sku=${SKU}]`);
    await helmetLine.getByTestId('cart-quantity').fill('3');
    await helmetLine.getByTestId('cart-quantity').dispatchEvent('change');
    await expect.poll(() => helmetLine.getByTestId('cart-line-total').textContent()).toBe('€149.97');
    await expect.poll(() => page.getByTestId('cart-total').textContent()).toBe('€174.97');

    // Over the API's limit: its problem detail is shown and the cart stays as it was.
    await helmetLine.getByTestId('cart-quantity').fill('500');
    await helmetLine.getByTestId('cart-quantity').dispatchEvent('change');
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/quantity must be an integer from 1 to 99, got 500/);
    await expect.poll(() => helmetLine.getByTestId('cart-quantity').inputValue()).toBe('3');

    await page.locator('[data-testid=cart-line][data-sku=LAMP-2]').getByTestId('cart-remove').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await expect.poll(() => page.getByTestId('cart-total').textContent()).toBe('€149.97');

    await page.getByTestId('checkout-button').click();
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('PENDING_PAYMENT');
    expect(await page.getByTestId('order-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByTestId('order-total').textContent()).toBe('€149.97');
    await page.screenshot({ path: join(ARTIFACTS, 'order-desktop.png') });
    await page.getByTestId('cart-link').click();
    await page.getByTestId('cart-empty').waitFor();
    // A returning visitor's badge is read from the API at start.
    await page.getByTestId('cart-link').click();
    await page.reload();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('0');
    await page.goto(`${server.url.replace(/\/$/, '')}/products/LAMP-2`);
    await page.getByTestId('add-to-cart').click();
    await page.reload();
    await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('1');
    expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
    await page.context().close();
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const { page, errors } = await openPage({ width: 375, height: 740 });
    await page.goto(server.url);
    await page.getByTestId('product-card').first().waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'products-phone.png'), fullPage: true });
    await page.locator(`[data-testid=product-card][data-sku=${SKU}] a`).click();
    await page.getByTestId('viewer-canvas').waitFor();
    const box = await page.getByTestId('viewer-canvas').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.width).toBeLessThanOrEqual(375);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'product-phone.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
