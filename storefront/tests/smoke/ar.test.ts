import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractApi } from '../support/contractApi';
import type { RunningServer } from '../support/httpServer';
import { MODELS_DIR } from './lodFixture';
import { startSiteServer } from './siteServer';

/**
 * "View in your room" on emulated phones: the asset service itself (python -m handlers.asset)
 * publishes a real model with its USDZ, and the product page in Debian's Chromium, with an
 * iPhone's, an Android phone's and a desktop's user agent, shows the AR link each should get.
 */
const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const REPO = resolve(ROOT, '..');
const PYTHON = join(REPO, '.venv/bin/python');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const SKU = 'COUNTER-1';
const CHAIR = 'CHAIR-1';
const HELMET = 'HELMET-LODS';
const HELMET_SOURCE = 'HELMET-SOURCE';
/**
 * Mean absolute difference per channel (0-255) allowed between the upload and our high LOD,
 * over the whole canvas (measured: 0.8 on SwiftShader; 17% of the pixels differ at all).
 */
const RENDER_TOLERANCE = 3;
const TITLE = 'Kitchen counter part';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const DESKTOP =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let bucket: string;
let server: RunningServer;
let browser: Browser;

/** The test chair with two colour variants (tests/asset/gltf_factory.py), as a GLB file. */
async function chairGlb(): Promise<string> {
  const path = join(tmpdir(), 'shop3d-variant-chair.glb');
  const script = 'import sys; from tests.asset.gltf_factory import commerce_parts; open(sys.argv[1], "wb").write(commerce_parts().glb())';
  await run(PYTHON, ['-c', script, path], { cwd: REPO });
  return path;
}

/** A digest of the asset service's code: a fixture published by older code is not reused. */
async function assetServiceDigest(): Promise<string> {
  const digest = createHash('sha256');
  const dir = join(REPO, 'handlers/asset');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.py')).sort();
  for (const file of files) {
    digest.update(file).update(await readFile(join(dir, file)));
  }
  return digest.digest('hex');
}

/** assets/<sku>/<hash>/ under `bucket` as the asset service publishes it (once per model and code). */
async function publishedByTheAssetService(source: string, sku: string): Promise<string> {
  const hash = createHash('sha256').update(await readFile(source)).update(await assetServiceDigest()).digest('hex');
  const manifestKey = `assets/${sku}/${hash}/manifest.json`;
  if (!existsSync(join(bucket, manifestKey))) {
    const staging = await mkdtemp(join(tmpdir(), 'shop3d-ar-staging-'));
    await run(PYTHON, ['-m', 'handlers.asset', source, staging, '--sku', sku], { cwd: REPO, timeout: 240_000 });
    await mkdir(join(bucket, 'assets', sku), { recursive: true });
    await rename(staging, join(bucket, 'assets', sku, hash)).catch(async () => undefined);
  }
  return manifestKey;
}

/** The upload itself behind a one-LOD manifest: what the render comparison holds ours to. */
async function sourceAsItIs(source: string, sku: string): Promise<string> {
  const dir = join(bucket, 'assets', sku, 'source');
  await mkdir(dir, { recursive: true });
  await copyFile(source, join(dir, 'source.glb'));
  const lods = [{ name: 'high', url: 'source.glb', bytes: 1, triangles: 1, error: 0, texture_max_px: null, compression: 'none' }];
  const manifest = { version: 1, sku, content_hash: 'source', bbox: { min: [0, 0, 0], max: [1, 1, 1] }, lods };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return `assets/${sku}/source/manifest.json`;
}

beforeAll(async () => {
  bucket = join(tmpdir(), 'shop3d-ar-fixture');
  const counter = await publishedByTheAssetService(join(MODELS_DIR, 'counter.stl'), SKU);
  const chair = await publishedByTheAssetService(await chairGlb(), CHAIR);
  const helmet = await publishedByTheAssetService(join(MODELS_DIR, 'DamagedHelmet.glb'), HELMET);
  const helmetSource = await sourceAsItIs(join(MODELS_DIR, 'DamagedHelmet.glb'), HELMET_SOURCE);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const api = new ContractApi([
    { sku: SKU, name: TITLE, description: 'CAD part.', price_minor: 1_000, currency: 'EUR', asset_status: 'READY', manifest_key: counter },
    { sku: CHAIR, name: 'Chair', description: 'Two colours.', price_minor: 9_000, currency: 'EUR', asset_status: 'READY', manifest_key: chair },
    { sku: HELMET, name: 'Helmet', description: 'CC BY 4.0, theblueturtle_.', price_minor: 1, currency: 'EUR', asset_status: 'READY', manifest_key: helmet },
    { sku: HELMET_SOURCE, name: 'Helmet as uploaded', description: 'The source.', price_minor: 1, currency: 'EUR', asset_status: 'READY', manifest_key: helmetSource },
  ]);
  server = await startSiteServer(join(ROOT, 'dist'), bucket, api);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function arLinkOn(userAgent: string, mobile: boolean, sku = SKU) {
  const context = await browser.newContext({ userAgent, isMobile: mobile, hasTouch: mobile, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.url.replace(/\/$/, '')}/products/${sku}`);
  await page.locator('[data-testid=viewer-canvas][data-first-render=true]').waitFor({ timeout: 60_000 });
  const links = page.getByTestId('ar-link');
  const found = (await links.count()) === 0 ? null : {
    tag: await links.evaluate((el) => el.tagName),
    kind: await links.getAttribute('data-ar'),
    rel: await links.getAttribute('rel'),
    href: await links.getAttribute('href'),
    children: await links.evaluate((el) => [...el.children].map((c) => c.tagName)),
  };
  return { page, context, found };
}

describe('View in your room', () => {
  it('gives an iPhone an AR Quick Look link to the USDZ, served as model/vnd.usdz+zip', async () => {
    const { page, context, found } = await arLinkOn(IPHONE, true);
    expect(found).not.toBeNull();
    expect(found!.kind).toBe('quick-look');
    expect(found!.rel).toBe('ar');
    expect(found!.children).toEqual(['IMG']); // Quick Look's rule: one <img> child
    expect(found!.href).toMatch(new RegExp(`/assets/${SKU}/[0-9a-f]{64}/model\\.usdz$`));
    const response = await page.request.get(found!.href!);
    expect(response.headers()['content-type']).toBe('model/vnd.usdz+zip');
    expect((await response.body()).subarray(0, 2).toString()).toBe('PK');
    await context.close();
  });

  it('gives an Android phone a Scene Viewer intent on the standard GLB with title and link back', async () => {
    const { page, context, found } = await arLinkOn(ANDROID, true);
    expect(found?.kind).toBe('scene-viewer');
    const href = found!.href!;
    expect(href.startsWith('intent://arvr.google.com/scene-viewer/1.2?')).toBe(true);
    const query = new URLSearchParams(href.slice(href.indexOf('?') + 1, href.indexOf('#')));
    expect(query.get('file')).toMatch(new RegExp(`^${server.url.replace(/\/$/, "")}/assets/${SKU}/[0-9a-f]{64}/standard\\.glb$`));
    expect(query.get('mode')).toBe('ar_preferred');
    expect(query.get('title')).toBe(TITLE);
    expect(query.get('link')).toBe(page.url());
    expect(href).toContain(';package=com.google.ar.core;');
    expect(href).toContain(`;S.browser_fallback_url=${encodeURIComponent(page.url())};end;`);
    const glb = await page.request.get(query.get('file')!);
    expect(glb.headers()['content-type']).toBe('model/gltf-binary');
    await context.close();
  });

  it('shows no AR button on a desktop browser without WebXR AR', async () => {
    const { context, found } = await arLinkOn(DESKTOP, false);
    expect(found).toBeNull();
    await context.close();
  });
});

describe('variants', () => {
  it('switches a colour variant without downloading or parsing geometry again', async () => {
    const { page, context } = await arLinkOn(DESKTOP, false, CHAIR);
    await page.locator('[data-testid=viewer-canvas][data-lod=high]').waitFor({ timeout: 60_000 });
    const select = page.getByTestId('variant-select');
    expect(await select.locator('option').allTextContents()).toEqual(['As shown', 'Red fabric', 'Leather']);
    const canvas = page.getByTestId('viewer-canvas');
    const before = await canvas.screenshot();
    const glbsBefore = server.requests.filter((r) => r.endsWith('.glb')).length;
    await select.selectOption({ label: 'Leather' });
    await page.locator('[data-testid=viewer-canvas][data-variant=Leather]').waitFor();
    // left, right, and the three legs (one node's copies, joined into one primitive)
    expect(await canvas.getAttribute('data-variant-parts')).toBe('3');
    await page.waitForTimeout(500); // the frame after the swap
    const after = await canvas.screenshot();
    expect(server.requests.filter((r) => r.endsWith('.glb')).length).toBe(glbsBefore);
    expect(after.equals(before)).toBe(false);
    await context.close();
  });
});

describe('faithful render', () => {
  async function highRender(sku: string): Promise<Buffer> {
    const { page, context } = await arLinkOn(DESKTOP, false, sku);
    await page.locator('[data-testid=viewer-canvas][data-lod=high]').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    const png = await page.getByTestId('viewer-canvas').screenshot();
    await context.close();
    return png;
  }

  it('draws our high LOD of the helmet like the upload (mean pixel difference)', async () => {
    const [source, ours] = [await highRender(HELMET_SOURCE), await highRender(HELMET)];
    const page = await browser.newPage();
    const { difference, covered } = await page.evaluate(
      async ([a, b]) => {
        const load = async (b64: string) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const canvas = document.createElement('canvas');
          [canvas.width, canvas.height] = [img.width, img.height];
          const ctx = canvas.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          return ctx.getImageData(0, 0, img.width, img.height).data;
        };
        const [x, y] = [await load(a!), await load(b!)];
        let sum = 0;
        let changed = 0;
        for (let i = 0; i < x.length; i += 4) {
          const d = Math.abs(x[i]! - y[i]!) + Math.abs(x[i + 1]! - y[i + 1]!) + Math.abs(x[i + 2]! - y[i + 2]!);
          sum += d / 3;
          changed += d > 0 ? 1 : 0;
        }
        return { difference: sum / (x.length / 4), covered: changed / (x.length / 4) };
      },
      [source.toString('base64'), ours.toString('base64')],
    );
    await page.close();
    expect(source.equals(ours)).toBe(false); // two different files really were drawn
    expect(covered).toBeGreaterThan(0);
    expect(difference, `mean difference ${difference.toFixed(2)} over ${(covered * 100).toFixed(0)}% changed pixels`).toBeLessThan(RENDER_TOLERANCE);
  });
});
