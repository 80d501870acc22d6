// A seller in Debian's headless Chromium (playwright-core): creates a product on the admin
// pages, uploads a model with the progress bar, waits for READY and previews a LOD. Signs in
// through the account API from the page (POST /api/account/sign-in: the BFF sets the HttpOnly
// session cookie). Then a shopper, in a browser context of its own (not signed in), finds the
// product with the header's search box and the results page. Prints one JSON document.
//
// Once READY, it uploads <rejected model> (a file the asset service refuses) and reads what the
// page says then.
//
//   node tests/sellers/admin_flow.mjs <site url> <e-mail> <password> <sku> <name> <word> <paged word> <model file> <rejected model> <artifacts dir>
//
// <word> is a word of <name> no other product has: the shopper types its first letters.
// <paged word> names more products than a results page holds: the shopper pages through them.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [site, email, password, sku, name, word, pagedWord, model, rejectedModel, artifacts] = process.argv.slice(2);
const url = site.replace(/\/$/, '');
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const TIMEOUT_MS = Number(process.env.FLOW_TIMEOUT_MS ?? 120_000);
await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const seen = { progress: [], errors: [] };
const page = await browser.newPage();
let current = page; // the page in use (the shopper's, later): what it showed on a failure
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
  await page.fill('[data-testid="field-name"]', name);
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
    // The LOD buttons follow READY once the manifest is read: wait for them, not just READY.
    await page.waitForSelector('[data-testid="lod-preview"]');
    const buttons = await page.$$('[data-testid="lod-preview"]');
    seen.lods = await Promise.all(buttons.map((b) => b.getAttribute('data-lod')));
    await buttons[0].click();
    await page.waitForSelector('[data-testid="lod-viewer"] [data-testid="viewer-status"][data-state="done"]');
    seen.preview = await page.$eval('[data-testid="lod-viewer"] [data-testid="viewer-status"]', (e) => ({ shown: e.dataset.shown, text: e.textContent }));
  }
  await page.screenshot({ path: join(artifacts, 'seller-admin.png') });
  seen.buttonAfterReady = await page.textContent('[data-testid="upload-start"]');
  // A replacement the asset service rejects: the page shows the rejection and what to do next.
  await page.setInputFiles('[data-testid="upload-file"]', rejectedModel);
  await page.click('[data-testid="upload-start"]');
  await page.waitForSelector('[data-testid="asset-status"][data-status="REJECTED"]');
  await page.waitForSelector('[data-testid="upload-start"]:not([disabled])');
  seen.rejected = await page.evaluate(() => ({
    state: document.querySelector('[data-testid="asset-status"]')?.textContent,
    words: document.querySelector('[data-testid="upload-words"]')?.textContent,
    button: document.querySelector('[data-testid="upload-start"]')?.textContent,
  }));
  await page.screenshot({ path: join(artifacts, 'seller-admin-rejected.png') });
  await page.goto(`${url}/admin`);
  await page.waitForSelector(`[data-testid="admin-row"][data-sku="${sku}"]`);
  seen.listed = await page.textContent(`[data-testid="admin-row"][data-sku="${sku}"] [data-testid="admin-row-asset"]`);
  seen.shopper = await shopperSearches(await (await browser.newContext()).newPage());
} catch (failure) {
  seen.failure = String(failure);
  // What the page showed when it failed: the failure message alone rarely says why.
  seen.shown = await current.evaluate(() => `${location.pathname}: ${document.body?.innerText ?? ''}`.slice(0, 400)).catch(() => null);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));

/** The shopper's part: suggestions as it types, the keyboard, the results page and its filters. */
async function shopperSearches(page) {
  current = page;
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  const got = {};
  const input = '[data-testid="search-input"]';
  const mine = `[data-testid="search-suggestion"][data-sku="${sku}"]`;
  const typeSlowly = async (text) => {
    await page.fill(input, '');
    await page.locator(input).pressSequentially(text, { delay: 30 });
  };
  const searches = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/api/search') searches.push(u.search); });
  seen.searchAnswers = []; // what the API answered, to tell a slow projection from a broken box
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname === '/api/search') {
      const body = await r.json().catch(() => null);
      seen.searchAnswers.push([r.status(), body?.results?.map((x) => x.sku) ?? body?.detail]);
    }
  });
  await page.goto(`${url}/`);
  const prefix = word.slice(0, 6);
  await typeSlowly(prefix);
  // The projection may still be catching up with the last catalog change: type again until it has.
  for (let tries = 0; tries < 20 && !(await page.$(mine)); tries += 1) {
    await page.waitForTimeout(250);
    await typeSlowly(prefix);
  }
  await page.waitForSelector(mine);
  got.expanded = await page.getAttribute(input, 'aria-expanded');
  got.suggestion = await page.textContent(mine);
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute(input, 'aria-activedescendant');
  got.activeIsMine = await page.$eval(`#${active}`, (e, s) => e.dataset.sku === s && e.getAttribute('aria-selected') === 'true', sku);
  await page.keyboard.press('Escape');
  got.afterEscape = { expanded: await page.getAttribute(input, 'aria-expanded'), hidden: await page.$eval('[data-testid="search-suggestions"]', (l) => l.hidden), text: await page.inputValue(input) };
  await page.keyboard.press('Escape');
  got.afterSecondEscape = await page.inputValue(input);
  // Enter on the text (nothing highlighted): the results page, its URL holding the query.
  // Typed at full speed: the suggester waits for a pause, so the keystrokes are one request.
  await page.fill(input, '');
  const before = searches.length;
  const full = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === prefix);
  await page.locator(input).pressSequentially(prefix);
  await full;
  await page.waitForSelector(mine);
  got.typed = { chars: prefix.length, requests: searches.slice(before) };
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  got.resultsUrl = new URL(page.url()).pathname + new URL(page.url()).search;
  got.heading = await page.textContent('[data-testid="search-heading"]');
  got.categories = await page.$$eval('[data-testid="facet-category"]', (links) => links.map((a) => a.textContent));
  // The category facet, then in stock only: each a new URL, the product still found.
  await page.click('[data-testid="facet-category"]:has-text("decor")');
  await page.waitForURL(/category=decor/);
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  await page.check('[data-testid="filter-in-stock"]');
  await page.waitForURL(/in_stock=true/);
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  got.filteredUrl = new URL(page.url()).search;
  got.chosenCategory = await page.textContent('[data-testid="facet-category"][aria-current="true"]');
  await page.screenshot({ path: join(artifacts, 'search-results.png') });
  await page.selectOption('[data-testid="search-sort"]', 'price');
  await page.waitForURL(/sort=price/);
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  // The price band the product's 25.00 falls in (its count says 1), then one it is not in.
  got.bandOfMine = await page.textContent('[data-testid="facet-price"]:has-text("(1)")');
  await page.click('[data-testid="facet-price"]:has-text("(1)")');
  await page.waitForURL(/min_price=/);
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  got.bandUrl = new URL(page.url()).search;
  await page.click('[data-testid="facet-price"]:has-text("and up")');
  await page.waitForSelector('[data-testid="search-empty"]');
  // A linked results page, opened afresh, shows the same search and fills the box.
  await page.goto(`${url}/search?q=${encodeURIComponent(prefix)}&category=decor`);
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  got.linkedBox = await page.inputValue(input);
  // Keyset pages: More results appends the next page by the API's cursor until there is none.
  await page.goto(`${url}/search?q=${pagedWord}`);
  await page.waitForSelector('[data-testid="search-result"]');
  const shown = () => page.$$eval('[data-testid="search-result"]', (cards) => cards.map((c) => c.dataset.sku));
  got.paged = { first: (await shown()).length, moreShown: await page.isVisible('[data-testid="search-more"]') };
  while (await page.isVisible('[data-testid="search-more"]')) {
    const before = (await shown()).length;
    await page.click('[data-testid="search-more"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="search-result"]').length > n, before);
  }
  got.paged.all = await shown();
  got.paged.count = await page.textContent('[data-testid="search-count"]');
  // The empty state, and the way out of it.
  await page.goto(`${url}/search?q=${encodeURIComponent(word)}&category=lighting`);
  await page.waitForSelector('[data-testid="search-empty"]');
  got.empty = await page.textContent('[data-testid="search-empty"]');
  await page.click('[data-testid="search-clear-filters"]');
  await page.waitForSelector(`[data-testid="search-result"][data-sku="${sku}"]`);
  // The error state: the API's own 400 in words (the text is over its 200 characters).
  await page.goto(`${url}/search?q=${'x'.repeat(201)}`);
  await page.waitForSelector('[data-testid="error"]');
  got.error = await page.textContent('[data-testid="error"]');
  got.retry = await page.isVisible('[data-testid="search-retry"]');
  // A suggestion picked with the keyboard opens the product page.
  await page.goto(`${url}/`);
  await typeSlowly(prefix);
  await page.waitForSelector(mine);
  const index = await page.$$eval('[data-testid="search-suggestion"]', (items, s) => items.findIndex((e) => e.dataset.sku === s), sku);
  for (let i = 0; i <= index; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/products/${sku}`);
  await page.waitForFunction((n) => document.querySelector('h1')?.textContent === n, name);
  got.productPath = new URL(page.url()).pathname;
  await page.screenshot({ path: join(artifacts, 'shopper-search.png') });
  return got;
}
