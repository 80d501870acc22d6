import { ApiClient } from './api/client';
import type { Cart } from './api/types';
import { itemCount, type AppContext, type Page } from './pages/context';
import { accountPage, resetPage, signUpPage } from './pages/account';
import { adminEditPage, adminListPage } from './pages/admin';
import { cartPage } from './pages/cart';
import { orderPage } from './pages/order';
import { paymentPage } from './pages/payment';
import { productPage } from './pages/product';
import { productsPage } from './pages/products';
import { takePageData, type PageData } from './pages/pageData';
import { go, NAVIGATE_EVENT, parseRoute, type Route, siteRoot } from './router';
import { enhanceSearchBox } from './search/searchBox';
import { searchPage } from './search/searchPage';
import { h } from './ui/dom';
import { errorBox } from './ui/errorBox';
import './styles.css';

/** Set once this browser has used a cart, so the header badge is filled in on later visits. */
const HAS_CART_KEY = 'shop3d.hasCart';

function pageFor(route: Route, data: PageData | null): Page {
  switch (route.page) {
    case 'products':
      return productsPage(route.category, data?.page === 'products');
    case 'product':
      return data?.page === 'product' ? productPage(route.sku, data.product, data.first_lod) : productPage(route.sku);
    case 'cart':
      return cartPage;
    case 'order':
      return orderPage(route.orderId);
    case 'checkout':
      return paymentPage(route.orderId);
    case 'account':
      return accountPage;
    case 'sign-up':
      return signUpPage;
    case 'reset':
      return resetPage;
    case 'search':
      return searchPage(location.search);
    case 'admin':
      return adminListPage;
    case 'admin-product':
      return adminEditPage(route.sku);
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
