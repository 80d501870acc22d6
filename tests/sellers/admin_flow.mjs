// A seller in Debian's headless Chromium (playwright-core): creates a product on the admin
// pages, uploads a model with the progress bar, waits for READY and previews a LOD. Signs in
// through the account API from the page (POST /api/account/sign-in: the BFF sets the HttpOnly
// session cookie). Prints one JSON document.
//
//   node tests/sellers/admin_flow.mjs <site url> <e-mail> <password> <sku> <model file> <artifacts dir>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [site, email, password, sku, model, artifacts] = process.argv.slice(2);
const url = site.replace(/\/$/, '');
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const TIMEOUT_MS = 120_000;
await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const seen = { progress: [], errors: [] };
const page = await browser.newPage();
try {
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  await page.goto(`${url}/`);
  seen.signIn = await page.evaluate(async ([e, p]) => {
    const reply = await fetch('api/account/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: e, password: p }),
    });
    return reply.status;
  }, [email, password]);
  await page.goto(`${url}/admin/new`);
  await page.fill('[data-testid="field-sku"]', sku);
  await page.fill('[data-testid="field-name"]', 'Browser box');
  await page.fill('[data-testid="field-description"]', 'Made in Chromium');
  await page.selectOption('[data-testid="field-category"]', 'decor');
  await page.fill('[data-testid="field-price_minor"]', '2500');
  await page.fill('[data-testid="field-stock"]', '4');
  await page.selectOption('[data-testid="field-status"]', 'active');
  await page.click('[data-testid="admin-save"]');
  await page.waitForSelector('[data-testid="model-section"]');
  seen.version = await page.textContent('[data-testid="admin-version"]');
  await page.setInputFiles('[data-testid="upload-file"]', model);
  const watching = setInterval(async () => {
    try {
      const bar = await page.$eval('[data-testid="upload-progress"]', (b) => [b.value, b.max]);
      const last = seen.progress.at(-1);
      if (!last || last[0] !== bar[0] || last[1] !== bar[1]) seen.progress.push(bar);
    } catch { /* navigating */ }
  }, 20);
  await page.click('[data-testid="upload-start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="upload-words"]')?.textContent?.startsWith('Uploaded'));
  clearInterval(watching);
  seen.progress.push(await page.$eval('[data-testid="upload-progress"]', (b) => [b.value, b.max]));
  seen.words = await page.textContent('[data-testid="upload-words"]');
  await page.waitForSelector('[data-testid="asset-status"][data-status="READY"], [data-testid="asset-status"][data-status="REJECTED"]');
  seen.asset = await page.$eval('[data-testid="asset-status"]', (e) => ({ status: e.dataset.status, text: e.textContent }));
  if (seen.asset.status === 'READY') {
    const buttons = await page.$$('[data-testid="lod-preview"]');
    seen.lods = await Promise.all(buttons.map((b) => b.getAttribute('data-lod')));
    await buttons[0].click();
    await page.waitForSelector('[data-testid="lod-viewer"] [data-testid="viewer-status"][data-state="done"]');
    seen.preview = await page.$eval('[data-testid="lod-viewer"] [data-testid="viewer-status"]', (e) => ({ shown: e.dataset.shown, text: e.textContent }));
  }
  await page.screenshot({ path: join(artifacts, 'seller-admin.png') });
  await page.goto(`${url}/admin`);
  await page.waitForSelector(`[data-testid="admin-row"][data-sku="${sku}"]`);
  seen.listed = await page.textContent(`[data-testid="admin-row"][data-sku="${sku}"] [data-testid="admin-row-asset"]`);
} catch (failure) {
  seen.failure = String(failure);
  // What the page showed when it failed: the failure message alone rarely says why.
  seen.shown = await page.evaluate(() => `${location.pathname}: ${document.body?.innerText ?? ''}`.slice(0, 400)).catch(() => null);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
