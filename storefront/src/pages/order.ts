import type { Order } from '../api/types';
import { checkoutHref } from '../router';
import { h } from '../ui/dom';
import { lineLabel } from './variantChoice';
import { formatMoney } from '../ui/money';
import type { Page } from './context';

/** While unpaid, the order is read again this often: PAID arrives by Stripe's webhook. */
const POLL_MS = 1500;
/** And for this long after the page opened (the reservation outlasts it; a reload polls again). */
const POLL_FOR_MS = 3 * 60_000;
const UNPAID = 'PENDING_PAYMENT';

const HEADINGS: Record<string, string> = {
  PENDING_PAYMENT: 'Waiting for your payment',
  PAID: 'Thank you: your order is paid',
  FULFILLED: 'Your order is on its way',
  EXPIRED: 'This order expired',
  CANCELLED: 'This order was cancelled',
  REFUNDED: 'This order was refunded',
};

export const orderPage = (orderId: string): Page => async (ctx, outlet, signal) => {
  const heading = h('h1', { testid: 'order-heading' });
  const status = h('dd', { testid: 'order-status' });
  const payLink = h('p', { testid: 'order-pay' });
  const show = (order: Order): void => {
    heading.textContent = HEADINGS[order.status] ?? 'Your order';
    status.textContent = order.status;
    payLink.replaceChildren(order.status === UNPAID ? h('a', { href: checkoutHref(order.order_id) }, 'Pay for this order') : '');
  };
  const order = await ctx.api.getOrder(orderId);
  show(order);
  outlet.replaceChildren(
    heading,
    h(
      'dl',
      { class: 'order', testid: 'order' },
      h('dt', {}, 'Order'),
      h('dd', { testid: 'order-id' }, order.order_id),
      h('dt', {}, 'Status'),
      status,
      h('dt', {}, 'Total'),
      h('dd', { testid: 'order-total' }, formatMoney(order.total_minor, order.currency)),
    ),
    payLink,
    h(
      'ul',
      { class: 'order-lines' },
      ...order.lines.map((line) => h('li', {}, `${line.quantity} × ${lineLabel(line)}: ${formatMoney(line.line_total_minor, order.currency)}`)),
    ),
  );
  const until = Date.now() + POLL_FOR_MS;
  let current = order;
  while (current.status === UNPAID && Date.now() < until && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (signal.aborted) {
      return;
    }
    try {
      current = await ctx.api.getOrder(orderId);
      show(current);
    } catch {
      // A failed read is tried again on the next tick; the page keeps what it showed.
    }
  }
};
