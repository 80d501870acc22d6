import { ApiError, networkProblem, problemFromResponse } from './problem';
import type { Cart, Order, Product } from './types';

/** Every API path sits under this prefix, on the site's own origin (one origin, as in CloudFront). */
export const API_PREFIX = 'api/';

export interface ApiClientOptions {
  /** Absolute URL the relative API paths resolve against: the page's base URI in the browser. */
  readonly baseUrl: string;
  readonly fetchImpl?: typeof fetch;
  readonly headers?: () => Record<string, string>;
  readonly newIdempotencyKey?: () => string;
  /** Extra tries after a network failure; a mutating request keeps its Idempotency-Key. */
  readonly retries?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function requireFields(body: unknown, fields: readonly string[], what: string): void {
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
  const missing = obj === null ? fields : fields.filter((f) => !(f in obj));
  if (missing.length > 0) {
    throw new ApiError({
      type: 'about:blank',
      title: 'Unexpected response',
      status: 0,
      detail: `The ${what} response lacks ${missing.join(', ')}.`,
    });
  }
}

const CART_FIELDS = ['cart_id', 'version', 'currency', 'total_minor', 'lines'] as const;
const ORDER_FIELDS = ['order_id', 'status', 'currency', 'total_minor', 'lines', 'created_at'] as const;
const PRODUCT_FIELDS = ['sku', 'name', 'price_minor', 'currency', 'asset'] as const;

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly headers: () => Record<string, string>;
  private readonly newIdempotencyKey: () => string;
  private readonly retries: number;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
    // No token here: a signed-in browser holds only the HttpOnly session cookie (the server
    // keeps the tokens), which the browser sends by itself, like the guest cart cookie.
    this.headers = options.headers ?? (() => ({}));
    this.newIdempotencyKey = options.newIdempotencyKey ?? (() => crypto.randomUUID());
    this.retries = options.retries ?? 1;
  }

  url(path: string): string {
    return new URL(API_PREFIX + path, this.options.baseUrl).href;
  }

  async listProducts(): Promise<Product[]> {
    const body = await this.call('GET', 'products');
    requireFields(body, ['products'], 'product list');
    const products = (body as { products: unknown }).products;
    if (!Array.isArray(products)) {
      throw new ApiError({ type: 'about:blank', title: 'Unexpected response', status: 0, detail: 'products is not a list.' });
    }
    products.forEach((p) => requireFields(p, PRODUCT_FIELDS, 'product'));
    return products as Product[];
  }

  async getProduct(sku: string): Promise<Product> {
    const body = await this.call('GET', `products/${encodeURIComponent(sku)}`);
    requireFields(body, PRODUCT_FIELDS, 'product');
    return body as Product;
  }

  async getCart(): Promise<Cart> {
    return this.cart(await this.call('GET', 'cart'));
  }

  async addItem(sku: string, quantity: number): Promise<Cart> {
    return this.cart(await this.call('POST', 'cart/items', { sku, quantity: checkQuantity(quantity) }));
  }

  async setQuantity(sku: string, quantity: number): Promise<Cart> {
    return this.cart(await this.call('PUT', `cart/items/${encodeURIComponent(sku)}`, { quantity: checkQuantity(quantity) }));
  }

  async removeItem(sku: string): Promise<Cart> {
    return this.cart(await this.call('DELETE', `cart/items/${encodeURIComponent(sku)}`));
  }

  /**
   * After sign-in: moves the guest cart (the browser sends its cookie) into the signed-in
   * user's cart and returns that cart. For bearer-token clients: the storefront's sign-in
   * (accounts.ts) merges on the server.
   */
  async mergeGuestCart(): Promise<Cart> {
    return this.cart(await this.call('POST', 'cart/merge', {}));
  }

  /** `email`: where a guest's confirmation and expiry notice go (the API validates it). */
  async checkout(email?: string): Promise<Order> {
    return this.order(await this.call('POST', 'checkout', email ? { email } : {}));
  }

  async getOrder(orderId: string): Promise<Order> {
    return this.order(await this.call('GET', `orders/${encodeURIComponent(orderId)}`));
  }

  private cart(body: unknown): Cart {
    requireFields(body, CART_FIELDS, 'cart');
    return body as Cart;
  }

  private order(body: unknown): Order {
    requireFields(body, ORDER_FIELDS, 'order');
    return body as Order;
  }

  /** Any API call (the account routes use it): the parsed JSON answer, or an ApiError. */
  async send(method: Method, path: string, body?: unknown): Promise<unknown> {
    return this.call(method, path, body);
  }

  private async call(method: Method, path: string, body?: unknown): Promise<unknown> {
    const url = this.url(path);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.headers() };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const mutating = method !== 'GET';
    if (mutating) {
      // One key per logical operation: a retry after a lost answer must not act twice.
      headers['Idempotency-Key'] = this.newIdempotencyKey();
    }
    const init: RequestInit = {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    const tries = 1 + this.retries;
    let lastFailure: unknown = null;
    for (let attempt = 0; attempt < tries; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, init);
      } catch (failure) {
        lastFailure = failure;
        continue;
      }
      if (!response.ok) {
        throw new ApiError(await problemFromResponse(response));
      }
      return response.status === 204 ? null : ((await response.json()) as unknown);
    }
    throw new ApiError(networkProblem(url, lastFailure));
  }
}

/** Client-side check of what a quantity can be at all; the API owns the upper limit. */
export function checkQuantity(quantity: number): number {
  if (!Number.isInteger(quantity) || quantity < 1) {
    throw new ApiError({
      type: 'about:blank',
      title: 'Invalid quantity',
      status: 0,
      detail: `Quantity must be a whole number of at least 1, got ${String(quantity)}.`,
    });
  }
  return quantity;
}
