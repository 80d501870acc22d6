// The payment step in Debian's headless Chromium (playwright-core), against the local platform
// and localstripe's Stripe.js stand-in: a guest pays with Stripe's test card and sees PAID; a
// second guest's card is declined (the reason shown in words) and the order is abandoned.
// Prints one JSON document of what it saw; test_local_platform.py checks it, PostgreSQL and
// the e-mails in moto's SES.
//
//   node tests/e2e/payment_flow.mjs <site url> <sku> <artifacts dir> <paid e-mail> <abandoned e-mail>
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, sku, artifacts, paidEmail, abandonedEmail] = process.argv.slice(2);
if (!url || !sku || !artifacts || !paidEmail || !abandonedEmail) {
  console.error('usage: payment_flow.mjs <site url> <sku> <artifacts dir> <paid e-mail> <abandoned e-mail>');
  process.exit(2);
}
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const TEST_CARD = '4242424242424242'; // Stripe's test Visa: succeeds
const DECLINED_CARD = '4000000000000341'; // attaches, then declined when charged
const PAID_TIMEOUT_MS = 60_000; // localstripe sends its webhook about 1 s after the charge

/** Add the product, give an e-mail, check out: the payment step's order id. */
async function checkout(page, email) {
  await page.goto(url);
  await page.locator(`[data-testid=product-card][data-sku="${sku}"] a`).click();
  await page.getByTestId('add-to-cart').click();
  await page.locator('[data-testid=cart-count]', { hasText: /[1-9]/ }).waitFor();
  await page.getByTestId('cart-link').click();
  await page.getByTestId('checkout-email').fill(email);
  await page.getByTestId('checkout-button').click();
  await page.getByTestId('payment-step').waitFor();
  return (await page.getByTestId('order-id').textContent()).trim();
}

/** The stand-in's card Element: plain inputs named by their placeholders. */
async function typeCard(page, number) {
  const card = page.getByTestId('card-element');
  await card.locator('input[placeholder=number]').waitFor();
  await card.locator('input[placeholder=number]').fill(number);
  await card.locator('input[placeholder=exp_month]').fill('12');
  await card.locator('input[placeholder=exp_year]').fill('34');
  await card.locator('input[placeholder=cvc]').fill('123');
  await card.locator('input[placeholder=postal_code]').fill('75001');
}

await mkdir(artifacts, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const result = { errors: [], stripeJs: [], timings: {} };
try {
  for (const [name, email] of [['paid', paidEmail], ['abandoned', abandonedEmail]]) {
    // A new context per shopper: its own guest cart cookie.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (error) => result.errors.push(error.message));
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/js.stripe.com/v3/')) result.stripeJs.push(request.url());
    });
    const orderId = await checkout(page, email);
    result[`${name}OrderId`] = orderId;
    result[`${name}StatusOnPaymentStep`] = (await page.getByTestId('order-status').textContent()).trim();
    if (name === 'paid') {
      await typeCard(page, TEST_CARD);
      const started = Date.now();
      await page.getByTestId('pay-button').click();
      await page.waitForURL(`**/orders/${orderId}`);
      await page.locator('[data-testid=order-status]', { hasText: 'PAID' }).waitFor({ timeout: PAID_TIMEOUT_MS });
      result.timings.payToPaidMs = Date.now() - started;
      result.paidStatus = (await page.getByTestId('order-status').textContent()).trim();
      result.paidHeading = (await page.getByTestId('order-heading').textContent()).trim();
      await page.screenshot({ path: join(artifacts, 'e2e-paid.png') });
    } else {
      await typeCard(page, DECLINED_CARD);
      await page.getByTestId('pay-button').click();
      const error = page.getByTestId('payment-errors').getByTestId('error');
      await error.waitFor();
      result.declinedMessage = (await error.textContent()).trim();
      result.urlAfterDecline = new URL(page.url()).pathname;
      await page.screenshot({ path: join(artifacts, 'e2e-declined.png') });
      // The shopper leaves: the reservation ends on its own.
    }
    await context.close();
  }
} catch (error) {
  result.failure = String(error?.stack ?? error);
} finally {
  await browser.close();
}
await writeFile(join(artifacts, 'e2e-payment-result.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
