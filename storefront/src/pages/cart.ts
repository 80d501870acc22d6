import type { Cart, CartLine } from '../api/types';
import { lineLabel, productSkuOf } from './variantChoice';
import { checkoutHref, go, HOME_HREF, orderHref, productHref } from '../router';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney } from '../ui/money';
import type { AppContext, Page } from './context';

export const cartPage: Page = async (ctx, outlet) => {
  const errors = h('div', { class: 'errors' });
  const body = h('div', {});

  let current: Cart;
  const show = (cart: Cart): void => {
    current = cart;
    ctx.cartChanged(cart);
    body.replaceChildren(...renderCart(ctx, cart, act, errors));
  };
  const act = (action: () => Promise<Cart>): void => {
    errors.replaceChildren();
    body.classList.add('busy');
    action()
      .then(show)
      .catch((failure: unknown) => {
        errors.replaceChildren(errorBox(failure));
        // A refused change left the cart as it was: show that, not the rejected input.
        show(current);
      })
      .finally(() => body.classList.remove('busy'));
  };

  show(await ctx.api.getCart());
  outlet.replaceChildren(h('h1', {}, 'Your cart'), errors, body);
};

type Act = (action: () => Promise<Cart>) => void;

function renderLine(ctx: AppContext, line: CartLine, currency: string, act: Act): HTMLElement {
  const quantity = h('input', {
    type: 'number',
    min: 1,
    step: 1,
    inputmode: 'numeric',
    value: line.quantity,
    testid: 'cart-quantity',
    'aria-label': `Quantity of ${lineLabel(line)}`,
  });
  quantity.addEventListener('change', () => act(() => ctx.api.setQuantity(line.sku, Number(quantity.value))));
  const remove = h('button', { type: 'button', class: 'link', testid: 'cart-remove' }, 'Remove');
  remove.addEventListener('click', () => act(() => ctx.api.removeItem(line.sku)));
  return h(
    'li',
    { class: 'cart-line', testid: 'cart-line', 'data-sku': line.sku },
    h('a', { href: productHref(productSkuOf(line.sku)), class: 'name' }, lineLabel(line)),
    h('span', { class: 'unit' }, formatMoney(line.unit_price_minor, currency)),
    quantity,
    h('span', { class: 'line-total', testid: 'cart-line-total' }, formatMoney(line.line_total_minor, currency)),
    remove,
  );
}

function renderCart(ctx: AppContext, cart: Cart, act: Act, errors: HTMLElement): Node[] {
  if (cart.lines.length === 0) {
    return [h('p', { testid: 'cart-empty' }, 'Your cart is empty. ', h('a', { href: HOME_HREF }, 'Browse products'), '.')];
  }
  const email = h('input', {
    type: 'email',
    autocomplete: 'email',
    maxlength: 254,
    testid: 'checkout-email',
    'aria-label': 'E-mail for the order confirmation',
    placeholder: 'you@example.com',
  });
  const checkout = h('button', { type: 'button', class: 'primary', testid: 'checkout-button' }, 'Checkout');
  checkout.addEventListener('click', () => {
    checkout.disabled = true;
    errors.replaceChildren();
    ctx.api
      .checkout(email.value.trim() || undefined)
      .then((order) => {
        // An order with a payment to make goes to the payment step; without one, to the order.
        go(order.payment ? checkoutHref(order.order_id) : orderHref(order.order_id));
      })
      .catch((failure: unknown) => {
        checkout.disabled = false;
        errors.replaceChildren(errorBox(failure));
      });
  });
  return [
    h('ul', { class: 'cart-lines', testid: 'cart-lines' }, ...cart.lines.map((line) => renderLine(ctx, line, cart.currency, act))),
    h('p', { class: 'total' }, 'Total ', h('strong', { testid: 'cart-total' }, formatMoney(cart.total_minor, cart.currency))),
    h('label', { class: 'checkout-email' }, 'E-mail for the order confirmation ', email),
    checkout,
  ];
}
