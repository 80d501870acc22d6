// A shopper's account in Debian's headless Chromium (playwright-core): a guest order first,
// then sign up, confirm the e-mail, sign in (the guest's order now under "my orders"), sign
// out. Prints one JSON document of what it saw; test_local_platform.py asserts on it.
//
//   node tests/e2e/account_flow.mjs <site url> <sku> <artifacts dir>
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, sku, artifacts] = process.argv.slice(2);
if (!url || !sku || !artifacts) {
  console.error('usage: account_flow.mjs <site url> <sku> <artifacts dir>');
  process.exit(2);
}
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const email = `e2e-${Date.now()}@example.com`;
const password = 'E2e-Shopper-42!';
// moto's ConfirmSignUp accepts any code (Cognito e-mails a real one): the flow types one.
const CODE = '123456';

await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const result = { errors: [], email };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => result.errors.push(error.message));

  // A guest buys first.
  await page.goto(url);
  await page.locator(`[data-testid=product-card][data-sku="${sku}"] a`).click();
  await page.getByTestId('add-to-cart').click();
  await page.locator('[data-testid=cart-count]', { hasText: '1' }).waitFor();
  await page.getByTestId('cart-link').click();
  await page.getByTestId('checkout-button').click();
  await page.getByTestId('order-id').waitFor();
  result.guestOrderId = (await page.getByTestId('order-id').textContent()).trim();

  // Sign up and confirm the e-mail.
  await page.getByTestId('account-link').click();
  await page.getByTestId('sign-up-link').click();
  await page.getByTestId('sign-up-email').fill(email);
  await page.getByTestId('sign-up-password').fill(password);
  await page.getByTestId('sign-up-submit').click();
  await page.getByTestId('verify-code').fill(CODE);
  await page.getByTestId('verify-submit').click();
  await page.getByTestId('confirmed').waitFor();

  // Sign in: the account, with the guest's order under "my orders".
  await page.getByTestId('to-sign-in').click();
  await page.getByTestId('sign-in-email').fill(email);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('account-email').waitFor();
  result.accountEmail = (await page.getByTestId('account-email').textContent()).trim();
  result.myOrders = await page.getByTestId('my-order').evaluateAll((items) => items.map((i) => i.dataset.orderId));
  await page.screenshot({ path: join(artifacts, 'e2e-account.png') });
  const cookies = await context.cookies();
  result.sessionCookie = cookies.find((c) => c.name === 'shop3d_session') ?? null;
  result.scriptVisibleCookies = await page.evaluate(() => document.cookie);
  result.storage = await page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
  // The guest's order opens while signed in (it was handed to the account).
  await page.goto(`${url.replace(/\/$/, '')}/orders/${result.guestOrderId}`);
  await page.getByTestId('order-id').waitFor();
  result.orderWhileSignedIn = (await page.getByTestId('order-id').textContent()).trim();

  // Sign out: back to the sign-in form, and the session cookie is gone.
  await page.getByTestId('account-link').click();
  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in').waitFor();
  result.sessionCookieAfterSignOut = (await context.cookies()).find((c) => c.name === 'shop3d_session') ?? null;
} catch (error) {
  result.failure = String(error?.stack ?? error);
} finally {
  await browser.close();
}
await writeFile(join(artifacts, 'e2e-account.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
