import { ApiClient } from './api/client';
import type { Cart } from './api/types';
import { itemCount, type AppContext, type Page } from './pages/context';
import { cartPage } from './pages/cart';
import { orderPage } from './pages/order';
import { productPage } from './pages/product';
import { productsPage } from './pages/products';
import { parseRoute, type Route } from './router';
import { h } from './ui/dom';
import { errorBox } from './ui/errorBox';
import './styles.css';

function pageFor(route: Route): Page {
  switch (route.page) {
    case 'products':
      return productsPage;
    case 'product':
      return productPage(route.sku);
    case 'cart':
      return cartPage;
    case 'order':
      return orderPage(route.orderId);
    case 'not-found':
      return async (_ctx, outlet) => {
        outlet.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, `No page at ${route.path}.`));
      };
  }
}

function start(): void {
  const outlet = document.getElementById('outlet');
  const badge = document.getElementById('cart-count');
  if (outlet === null || badge === null) {
    throw new Error('index.html must have #outlet and #cart-count');
  }
  const ctx: AppContext = {
    api: new ApiClient({ baseUrl: document.baseURI }),
    cartChanged: (cart: Cart) => {
      badge.textContent = String(itemCount(cart));
    },
  };
  let current = new AbortController();

  const navigate = (): void => {
    current.abort();
    current = new AbortController();
    const { signal } = current;
    outlet.replaceChildren(h('p', { class: 'loading', testid: 'page-loading' }, 'Loading…'));
    outlet.setAttribute('aria-busy', 'true');
    pageFor(parseRoute(location.hash))(ctx, outlet, signal)
      .catch((failure: unknown) => {
        if (!signal.aborted) {
          outlet.replaceChildren(errorBox(failure));
        }
      })
      .finally(() => outlet.removeAttribute('aria-busy'));
  };
  window.addEventListener('hashchange', navigate);
  navigate();
  // The badge is a convenience: if the cart cannot be read now, the cart page will say why.
  ctx.api.getCart().then(ctx.cartChanged, () => undefined);
}

start();
