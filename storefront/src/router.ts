import { SEARCH_PATH } from './search/searchQuery';

/**
 * Path routes, the same the page renderer (handlers/pages) serves: /, /products/<sku>,
 * /categories/<slug>, plus the storefront's own /cart, /checkout/<order id> (the payment step),
 * /account, /sign-up, /reset, /orders/<id>, /search (its query in the URL's search part), /admin...
 */

export type Route =
  | { readonly page: 'products'; readonly category: string | null }
  | { readonly page: 'product'; readonly sku: string }
  | { readonly page: 'cart' }
  | { readonly page: 'order'; readonly orderId: string }
  | { readonly page: 'checkout'; readonly orderId: string }
  | { readonly page: 'account' }
  | { readonly page: 'sign-up' }
  | { readonly page: 'reset' }
  | { readonly page: 'search' }
  | { readonly page: 'admin' }
  | { readonly page: 'admin-product'; readonly sku: string | null }
  | { readonly page: 'not-found'; readonly path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) {
    return { page: 'products', category: null };
  }
  if (parts.length === 2 && parts[0] === 'categories') {
    return { page: 'products', category: parts[1] as string };
  }
  if (parts.length === 2 && parts[0] === 'products') {
    return { page: 'product', sku: parts[1] as string };
  }
  if (parts.length === 1 && parts[0] === 'cart') {
    return { page: 'cart' };
  }
  if (parts.length === 1 && (parts[0] === 'account' || parts[0] === 'sign-up' || parts[0] === 'reset')) {
    return { page: parts[0] };
  }
  if (parts.length === 2 && parts[0] === 'checkout') {
    return { page: 'checkout', orderId: parts[1] as string };
  }
  if (parts.length === 2 && parts[0] === 'orders') {
    return { page: 'order', orderId: parts[1] as string };
  }
  if (parts.length === 1 && `/${parts[0]}` === SEARCH_PATH) {
    return { page: 'search' };
  }
  if (parts[0] === 'admin') {
    if (parts.length === 1) {
      return { page: 'admin' };
    }
    if (parts.length === 2 && parts[1] === 'new') {
      return { page: 'admin-product', sku: null };
    }
    if (parts.length === 3 && parts[1] === 'product') {
      return { page: 'admin-product', sku: parts[2] as string };
    }
  }
  return { page: 'not-found', path };
}

export function productHref(sku: string): string {
  return `/products/${encodeURIComponent(sku)}`;
}

export function orderHref(orderId: string): string {
  return `/orders/${encodeURIComponent(orderId)}`;
}

/** The payment step of an order just placed. */
export function checkoutHref(orderId: string): string {
  return `/checkout/${encodeURIComponent(orderId)}`;
}

export const CART_HREF = '/cart';
export const HOME_HREF = '/';
export const ACCOUNT_HREF = '/account';
export const SIGN_UP_HREF = '/sign-up';
export const RESET_HREF = '/reset';

export const ADMIN_HREF = '/admin';
export const ADMIN_NEW_HREF = '/admin/new';

export function adminProductHref(sku: string): string {
  return `/admin/product/${encodeURIComponent(sku)}`;
}

/** Goes to a path without reloading (the router listens for this event and for popstate). */
export const NAVIGATE_EVENT = 'shop3d:navigate';
export function go(href: string): void {
  history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The site's root URL: API and asset paths resolve against it, never against a path route. */
export function siteRoot(): string {
  return new URL('/', location.href).href;
}
