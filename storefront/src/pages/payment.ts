/**
 * The checkout's payment step (/checkout/<order id>): the order just placed, a card field from
 * Stripe.js, and Pay. The card is tokenized by Stripe.js in the browser; the API confirms the
 * order's PaymentIntent with the token (amount from the order, never from here); a card that
 * needs 3-D Secure is authenticated by Stripe.js; then the order page waits for PAID, which
 * only Stripe's webhook sets.
 */
import type { PaymentDetails } from '../api/payments';
import { getPayment, payWithCardToken } from '../api/payments';
import { go, orderHref } from '../router';
import { loadStripeJs, stripeErrorText, type CardElement, type StripeJs } from '../payment/stripeJs';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney } from '../ui/money';
import type { AppContext, Page } from './context';

export const paymentPage = (orderId: string): Page => async (ctx, outlet, signal) => {
  const step = await getPayment(ctx.api, orderId);
  const summary = h(
    'dl',
    { class: 'order', testid: 'order' },
    h('dt', {}, 'Order'),
    h('dd', { testid: 'order-id' }, step.order_id),
    h('dt', {}, 'Status'),
    h('dd', { testid: 'order-status' }, step.status),
    h('dt', {}, 'Total'),
    h('dd', { testid: 'order-total' }, formatMoney(step.total_minor, step.currency)),
    step.expires_at ? h('dt', {}, 'Reserved until') : null,
    step.expires_at ? h('dd', { testid: 'order-expires' }, new Date(step.expires_at).toLocaleTimeString()) : null,
  );
  if (step.payment === null) {
    // Nothing to pay (no payment provider configured, or no longer payable): the order page says why.
    outlet.replaceChildren(h('h1', {}, 'Checkout'), summary, h('p', {}, h('a', { href: orderHref(orderId) }, 'See the order')));
    return;
  }
  const errors = h('div', { class: 'errors', testid: 'payment-errors' });
  const cardBox = h('div', { class: 'card-element', testid: 'card-element' });
  const pay = h('button', { type: 'button', class: 'primary', testid: 'pay-button', disabled: true }, `Pay ${formatMoney(step.payment.amount_minor, step.payment.currency.toUpperCase())}`);
  outlet.replaceChildren(
    h('h1', {}, 'Checkout: payment'),
    summary,
    h('section', { class: 'payment', testid: 'payment-step' }, h('label', {}, 'Card'), cardBox, errors, pay),
  );
  const stripe = (await loadStripeJs(step.payment.stripe_js_url))(step.payment.publishable_key);
  if (signal.aborted) {
    return;
  }
  const card = stripe.elements().create('card');
  card.mount(cardBox);
  signal.addEventListener('abort', () => card.destroy());
  pay.disabled = false;
  const payment = step.payment;
  pay.addEventListener('click', () => {
    pay.disabled = true;
    errors.replaceChildren();
    submit(ctx, orderId, stripe, card, payment)
      .then(() => go(orderHref(orderId)))
      .catch((failure: unknown) => {
        pay.disabled = false;
        errors.replaceChildren(errorBox(failure));
      });
  });
};

class PaymentRefused extends Error {}

async function submit(ctx: AppContext, orderId: string, stripe: StripeJs, card: CardElement, payment: PaymentDetails): Promise<void> {
  const { token, error } = await stripe.createToken(card);
  if (token === undefined || error) {
    throw new PaymentRefused(stripeErrorText(error, 'The card details could not be read: check the number, expiry and CVC.'));
  }
  const attempt = await payWithCardToken(ctx.api, orderId, token.id);
  if (attempt.intent_status === 'requires_action') {
    const authenticated = await stripe.confirmCardPayment(payment.client_secret);
    if (authenticated.error) {
      throw new PaymentRefused(stripeErrorText(authenticated.error, 'The card could not be authenticated: try again or use another card.'));
    }
  } else if (attempt.intent_status !== 'succeeded' && attempt.intent_status !== 'processing') {
    throw new PaymentRefused(`The payment did not go through (${attempt.intent_status}): try another card.`);
  }
}
