import { ApiClient } from './api/client';
import type { Cart } from './api/types';
import { itemCount, type AppContext, type Page } from './pages/context';
import { cartPage } from './pages/cart';
import { productPage } from './pages/product';
import { productsPage } from './pages/products';
import { takePageData, type PageData } from './pages/pageData';
import { go, NAVIGATE_EVENT, parseRoute, type Route, siteRoot } from './router';
import { enhanceSearchBox } from './search/searchBox';
import { h } from './ui/dom';
import { errorBox } from './ui/errorBox';
import './styles.css';

/** Set once this browser has used a cart, so the header badge is filled in on later visits. */
const HAS_CART_KEY = 'shop3d.hasCart';

/**
 * A page whose code is fetched the first time it is shown: the account, admin, order, payment
 * and search pages stay out of the first bundle, so a product page's first 3D frame does not
 * wait for them (bench/pages).
 */
function later<M>(load: () => Promise<M>, page: (module: M) => Page): Page {
  return async (ctx, outlet, signal) => page(await load())(ctx, outlet, signal);
}

function pageFor(route: Route, data: PageData | null): Page {
  switch (route.page) {
    case 'products':
      return productsPage(route.category, data?.page === 'products' ? { more: data.more === true } : null);
    case 'product':
      return data?.page === 'product' ? productPage(route.sku, data.product, data.first_lod) : productPage(route.sku);
    case 'cart':
      return cartPage;
    case 'order':
      return later(() => import('./pages/order'), (m) => m.orderPage(route.orderId));
    case 'checkout':
      return later(() => import('./pages/payment'), (m) => m.paymentPage(route.orderId));
    case 'account':
      return later(() => import('./pages/account'), (m) => m.accountPage);
    case 'sign-up':
      return later(() => import('./pages/account'), (m) => m.signUpPage);
    case 'reset':
      return later(() => import('./pages/account'), (m) => m.resetPage);
    case 'search':
      return later(() => import('./search/searchPage'), (m) => m.searchPage(location.search));
    case 'admin':
      return later(() => import('./pages/admin'), (m) => m.adminListPage);
    case 'admin-product':
      return later(() => import('./pages/admin'), (m) => m.adminEditPage(route.sku));
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
    api: new ApiClient({ baseUrl: siteRoot() }),
    cartChanged: (cart: Cart) => {
      badge.textContent = String(itemCount(cart));
      localStorage.setItem(HAS_CART_KEY, '1');
    },
  };
  const searchForm = document.getElementById('search');
  if (searchForm instanceof HTMLFormElement) {
    enhanceSearchBox(searchForm, ctx.api);
  }
  let current = new AbortController();

  const navigate = (): void => {
    current.abort();
    current = new AbortController();
    const { signal } = current;
    // The first page may be the server's HTML with its data: taken over, not drawn again.
    const data = takePageData(location.pathname);
    if (data === null || data.page === 'not-found') {
      outlet.replaceChildren(h('p', { class: 'loading', testid: 'page-loading' }, 'Loading…'));
    }
    outlet.setAttribute('aria-busy', 'true');
    pageFor(parseRoute(location.pathname), data)(ctx, outlet, signal)
      .catch((failure: unknown) => {
        if (!signal.aborted) {
          outlet.replaceChildren(errorBox(failure));
        }
      })
      .finally(() => outlet.removeAttribute('aria-busy'));
  };
  window.addEventListener('popstate', navigate);
  window.addEventListener(NAVIGATE_EVENT, navigate);
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    const href = link?.getAttribute('href');
    if (
      link === null || link === undefined || href === null || href === undefined || !href.startsWith('/') ||
      href.startsWith('/api/') || href.startsWith('/assets/') || href.startsWith('/categories/') ||
      event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey
    ) {
      return; // the browser's own navigation: other origins, files, pages only the server draws
    }
    event.preventDefault();
    go(href);
  });
  navigate();
  // Reading the cart makes the API issue a guest cookie, so only browsers that used a
  // cart before ask for it at start. A failure here is left to the cart page to explain.
  if (localStorage.getItem(HAS_CART_KEY) !== null) {
    ctx.api.getCart().then(ctx.cartChanged, () => undefined);
  }
}

start();
