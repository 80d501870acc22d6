import { h } from '../ui/dom';
import { lineLabel } from './variantChoice';
import { formatMoney } from '../ui/money';
import type { Page } from './context';

export const orderPage = (orderId: string): Page => async (ctx, outlet) => {
  const order = await ctx.api.getOrder(orderId);
  outlet.replaceChildren(
    h('h1', {}, 'Thank you'),
    h(
      'dl',
      { class: 'order', testid: 'order' },
      h('dt', {}, 'Order'),
      h('dd', { testid: 'order-id' }, order.order_id),
      h('dt', {}, 'Status'),
      h('dd', { testid: 'order-status' }, order.status),
      h('dt', {}, 'Total'),
      h('dd', { testid: 'order-total' }, formatMoney(order.total_minor, order.currency)),
    ),
    h(
      'ul',
      { class: 'order-lines' },
      ...order.lines.map((line) => h('li', {}, `${line.quantity} × ${lineLabel(line)}: ${formatMoney(line.line_total_minor, order.currency)}`)),
    ),
  );
};
