import type { Product } from '../api/types';
import { CART_HREF } from '../router';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney } from '../ui/money';
import { itemCount, type Page } from './context';
import { variantChoice } from './variantChoice';
import { VARIANT_CHOSEN } from '../viewer/variants';

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

/** The page's parts, drawn here or found in the server's HTML. */
interface ProductParts {
  readonly viewer: HTMLElement;
  readonly addButton: HTMLButtonElement;
  readonly feedback: HTMLElement;
}

function drawProduct(outlet: HTMLElement, product: Product, note: string | null): ProductParts {
  const viewer = h('div', { class: 'viewer', testid: 'viewer' });
  const feedback = h('div', { class: 'feedback', testid: 'add-to-cart-status', 'aria-live': 'polite' });
  const addButton = h('button', { type: 'button', class: 'primary', testid: 'add-to-cart' }, 'Add to cart') as HTMLButtonElement;
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
  return { viewer, addButton, feedback };
}

function foundParts(outlet: HTMLElement, sku: string): ProductParts | null {
  const article = outlet.querySelector<HTMLElement>('[data-testid="product"]');
  const viewer = outlet.querySelector<HTMLElement>('[data-testid="viewer"]');
  const addButton = outlet.querySelector<HTMLButtonElement>('[data-testid="add-to-cart"]');
  const feedback = outlet.querySelector<HTMLElement>('[data-testid="add-to-cart-status"]');
  if (article?.dataset.sku !== sku || viewer === null || addButton === null || feedback === null) {
    return null;
  }
  return { viewer, addButton, feedback };
}

/** `initial`: the product the server's HTML holds; its DOM is kept, not drawn again. */
export const productPage = (sku: string, initial: Product | null = null, firstLod?: string): Page => async (ctx, outlet, signal) => {
  const product = initial ?? (await ctx.api.getProduct(sku));
  const note = assetNote(product);
  const { viewer, addButton, feedback } = (initial !== null ? foundParts(outlet, sku) : null) ?? drawProduct(outlet, product, note);
  // What the button adds: the product, or the variant chosen (its own line SKU and price).
  let lineSku = product.sku;
  const picker = variantChoice(product, (variant) => {
    lineSku = variant.sku;
    const price = outlet.querySelector<HTMLElement>('[data-testid="product-price"]');
    if (price !== null) {
      price.textContent = formatMoney(variant.price_minor, product.currency);
    }
    // The viewer shows the model's variant of that name (read at mount, then on each change).
    viewer.dataset.chosenVariant = variant.name;
    viewer.dispatchEvent(new CustomEvent(VARIANT_CHOSEN, { detail: variant.name }));
  });
  if (picker !== null) {
    addButton.before(picker);
  }
  addButton.addEventListener('click', () => {
    addButton.disabled = true;
    feedback.replaceChildren('Adding…');
    ctx.api
      .addItem(lineSku, 1)
      .then((cart) => {
        ctx.cartChanged(cart);
        feedback.replaceChildren(`Added. ${itemCount(cart)} in `, h('a', { href: CART_HREF }, 'your cart'), '.');
      })
      .catch((failure: unknown) => feedback.replaceChildren(errorBox(failure)))
      .finally(() => {
        addButton.disabled = false;
      });
  });
  if (note === null && product.asset.manifest_url !== null) {
    // three.js is only downloaded by pages that show a model.
    const { mountProductViewer } = await import('../viewer/productViewer');
    await mountProductViewer(viewer, product.asset.manifest_url, signal, product.name, undefined, firstLod, picker !== null);
  }
};
