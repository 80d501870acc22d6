import type { Product } from '../api/types';
import { CART_HREF } from '../router';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney } from '../ui/money';
import { itemCount, type Page } from './context';

function assetNote(product: Product): string | null {
  switch (product.asset.status) {
    case 'READY':
      return product.asset.manifest_url === null ? 'The 3D model is missing.' : null;
    case 'PENDING':
      return 'The 3D model is being prepared. Check back in a few minutes.';
    case 'REJECTED':
      return 'No 3D model is available for this product.';
    default:
      return `Unknown 3D model status ${String(product.asset.status)}.`;
  }
}

export const productPage = (sku: string): Page => async (ctx, outlet, signal) => {
  const product = await ctx.api.getProduct(sku);
  const viewer = h('div', { class: 'viewer', testid: 'viewer' });
  const feedback = h('div', { class: 'feedback', testid: 'add-to-cart-status', 'aria-live': 'polite' });
  const addButton = h('button', { type: 'button', class: 'primary', testid: 'add-to-cart' }, 'Add to cart');
  addButton.addEventListener('click', () => {
    addButton.disabled = true;
    feedback.replaceChildren('Adding…');
    ctx.api
      .addItem(product.sku, 1)
      .then((cart) => {
        ctx.cartChanged(cart);
        feedback.replaceChildren(`Added. ${itemCount(cart)} in `, h('a', { href: CART_HREF }, 'your cart'), '.');
      })
      .catch((failure: unknown) => feedback.replaceChildren(errorBox(failure)))
      .finally(() => {
        addButton.disabled = false;
      });
  });

  const note = assetNote(product);
  if (note !== null) {
    viewer.append(h('p', { class: 'viewer-status', testid: 'viewer-status' }, note));
  }
  outlet.replaceChildren(
    h(
      'article',
      { class: 'product', testid: 'product', 'data-sku': product.sku },
      viewer,
      h(
        'div',
        { class: 'details' },
        h('h1', {}, product.name),
        h('p', { class: 'price', testid: 'product-price' }, formatMoney(product.price_minor, product.currency)),
        h('p', {}, product.description),
        addButton,
        feedback,
      ),
    ),
  );
  if (note === null && product.asset.manifest_url !== null) {
    // three.js is only downloaded by pages that show a model.
    const { mountProductViewer } = await import('../viewer/productViewer');
    await mountProductViewer(viewer, product.asset.manifest_url, signal, product.name);
  }
};
