import type { Product } from '../api/types';
import { productHref } from '../router';
import { h } from '../ui/dom';
import { categoryLabel } from '../ui/labels';
import { formatMoney } from '../ui/money';
import type { Page } from './context';

const ASSET_BADGE: Record<Product['asset']['status'], string> = {
  READY: '3D',
  PENDING: '3D soon',
  REJECTED: 'no 3D',
};

export function productCard(product: Product): HTMLElement {
  return h(
    'li',
    { class: 'card', testid: 'product-card', 'data-sku': product.sku },
    h(
      'a',
      { href: productHref(product.sku), testid: 'product-link' },
      h('span', { class: 'badge' }, ASSET_BADGE[product.asset.status] ?? product.asset.status),
      h('h2', {}, product.name),
      h('p', { class: 'description' }, product.description),
      h('p', { class: 'price' }, formatMoney(product.price_minor, product.currency)),
    ),
  );
}

/**
 * A "More products" button under `list`: each press appends the next page. `cursor` is where the
 * next page starts; null with `skip` > 0 (a grid the server drew, which cannot sign cursors):
 * the first press asks for the `skip` products shown to learn where they end.
 */
function moreButton(ctx: Parameters<Page>[0], list: HTMLElement, category: string | null, cursor: string | null, skip = 0): HTMLElement {
  const status = h('p', { class: 'more-status', testid: 'more-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', testid: 'more-products' }, 'More products') as HTMLButtonElement;
  let next = cursor;
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = '';
    void (async () => {
      try {
        if (next === null && skip > 0) {
          next = (await ctx.api.listProducts({ category, limit: skip })).next_cursor;
        }
        const page = next === null ? { products: [], next_cursor: null } : await ctx.api.listProducts({ category, cursor: next });
        const shown = new Set(Array.from(list.querySelectorAll<HTMLElement>('[data-sku]'), (e) => e.dataset.sku));
        list.append(...page.products.filter((p) => !shown.has(p.sku)).map(productCard));
        next = page.next_cursor;
        skip = 0;
        if (next === null) {
          button.remove();
        }
      } catch (error) {
        status.textContent = error instanceof Error ? error.message : String(error);
      } finally {
        button.disabled = false;
      }
    })();
  });
  return h('div', { class: 'more' }, button, status);
}

/** `server`: the server's HTML already shows this grid (its links are handled by the router). */
export const productsPage = (category: string | null, server: { more: boolean } | null): Page => async (ctx, outlet) => {
  if (server !== null) {
    const list = outlet.querySelector<HTMLElement>('[data-testid="product-list"]');
    if (server.more && list !== null) {
      list.after(moreButton(ctx, list, category, null, list.querySelectorAll('[data-sku]').length));
    }
    return;
  }
  const first = await ctx.api.listProducts({ category });
  const heading = h('h1', {}, category === null ? 'Products' : categoryLabel(category));
  if (first.products.length === 0) {
    outlet.replaceChildren(heading, h('p', { testid: 'products-empty' }, 'No products yet.'));
    return;
  }
  const list = h('ul', { class: 'grid', testid: 'product-list' }, ...first.products.map(productCard));
  outlet.replaceChildren(heading, list, ...(first.next_cursor === null ? [] : [moreButton(ctx, list, category, first.next_cursor)]));
};
