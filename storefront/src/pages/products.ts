import type { Product } from '../api/types';
import { productHref } from '../router';
import { h } from '../ui/dom';
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

/** `fromServer`: the server's HTML already shows this grid (its links are handled by the router). */
export const productsPage = (category: string | null, fromServer: boolean): Page => async (ctx, outlet) => {
  if (fromServer) {
    return;
  }
  if (category !== null) {
    // The API's products carry no category: category pages exist only as the server's HTML.
    outlet.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, `The category ${category} is only served as a page.`));
    return;
  }
  const products = await ctx.api.listProducts();
  outlet.replaceChildren(
    h('h1', {}, 'Products'),
    products.length === 0
      ? h('p', { testid: 'products-empty' }, 'No products yet.')
      : h('ul', { class: 'grid', testid: 'product-list' }, ...products.map(productCard)),
  );
};
