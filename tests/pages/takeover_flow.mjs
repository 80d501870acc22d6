// The storefront taking over from the server's HTML, in Debian's headless Chromium:
// with JavaScript (the page's data is used, not fetched again; the add-to-cart button is wired)
// and without it (the product, its price and its poster are there). Prints one JSON document.
//
//   node tests/pages/takeover_flow.mjs <site url> <sku>
import { chromium } from 'playwright-core';

const [url, sku] = process.argv.slice(2);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const result = { errors: [] };
try {
  const withJs = await browser.newContext();
  const page = await withJs.newPage();
  page.on('pageerror', (error) => result.errors.push(error.message));
  const requests = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto(`${url}/products/${sku}`);
  // main.ts removes the embedded data once it has taken it over.
  await page.waitForFunction(() => document.getElementById('page-data') === null);
  await page.click('[data-testid="add-to-cart"]');
  // The outcome, not the in-progress text: the button is enabled again once the answer is shown.
  await page.waitForFunction(() => document.querySelector('[data-testid="add-to-cart"]')?.disabled === false
    && document.querySelector('[data-testid="add-to-cart-status"]')?.textContent !== '');
  result.withJs = {
    requests: requests.slice(),
    heading: await page.textContent('h1'),
    feedback: await page.textContent('[data-testid="add-to-cart-status"]'),
  };
  // A link drawn by the server navigates in the page (no reload): the grid is fetched from the API.
  await page.click('a.brand');
  await page.waitForSelector('[data-testid="product-list"], [data-testid="products-empty"], .error');
  result.afterLink = { path: new URL(page.url()).pathname, requests: requests.slice() };

  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(`${url}/products/${sku}`);
  await plain.waitForLoadState('load');
  result.noJs = {
    heading: await plain.textContent('h1'),
    price: await plain.textContent('[data-testid="product-price"]'),
    availability: await plain.textContent('[data-testid="availability"]'),
    posterWidth: await plain.$eval('[data-testid="poster"]', (img) => img.naturalWidth),
    posterShown: await plain.isVisible('[data-testid="poster"]'),
  };
  await plain.goto(`${url}/`);
  result.noJs.cards = await plain.$$eval('[data-testid="product-card"]', (cards) => cards.map((c) => c.dataset.sku));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
