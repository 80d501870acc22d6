import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Cart, CartLine, Order, Product } from '../../src/api/types';
import { sendJson } from './httpServer';

/**
 * A working, in-memory implementation of the cart HTTP API contract (not canned answers),
 * so the storefront's tests exercise real request/response cycles: guest cookie, cart
 * arithmetic, idempotent mutations, checkout, owner-only orders and problem details.
 * Limits mirror the cart service's (handlers/cart/limits.py). Test-only: any bearer token
 * is accepted as the user's identity, and nothing is persisted.
 */
export const COOKIE_NAME = 'shop3d_cart';
export const MAX_QUANTITY = 99;
const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface CatalogEntry extends Omit<Product, 'asset'> {
  readonly asset_status: Product['asset']['status'];
  readonly manifest_key: string | null;
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

interface Reply {
  status: number;
  body: unknown;
  clearGuestCookie?: boolean;
}

export class ContractApi {
  private readonly carts = new Map<string, { version: number; lines: Map<string, number> }>();
  private readonly orders = new Map<string, { owner: string; order: Order }>();
  private readonly replies = new Map<string, { fingerprint: string; reply: Reply }>();
  /** Every Idempotency-Key seen, in order, for assertions. */
  readonly idempotencyKeys: string[] = [];

  constructor(
    private readonly catalog: readonly CatalogEntry[],
    private readonly currency = 'EUR',
  ) {}

  /** Handles /api/* requests; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, body: string): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith('/api/')) {
      return false;
    }
    const method = req.method ?? 'GET';
    const guestCookie = this.guestCookie(req);
    const { owner, newCookie } = this.owner(req, guestCookie);
    if (newCookie !== null) {
      res.setHeader('Set-Cookie', `${COOKIE_NAME}=${newCookie}; Path=/api; HttpOnly; Secure; SameSite=Lax; Max-Age=604800`);
    }
    let reply: Reply;
    try {
      reply = this.idempotent(req, owner, `${method} ${url.pathname} ${body}`, () =>
        this.route(method, url.pathname.slice('/api/'.length).split('/').map(decodeURIComponent), owner, body, guestCookie),
      );
      if (reply.clearGuestCookie) {
        res.setHeader('Set-Cookie', `${COOKIE_NAME}=; Path=/api; HttpOnly; Secure; SameSite=Lax; Max-Age=0`);
      }
    } catch (failure) {
      if (!(failure instanceof Problem)) {
        throw failure;
      }
      const status = failure.status;
      sendJson(
        res,
        status,
        { type: `https://shop3d.example/problems/${failure.slug}`, title: STATUS_CODES[status], status, detail: failure.detail },
        'application/problem+json',
      );
      return true;
    }
    sendJson(res, reply.status, reply.body);
    return true;
  }

  private guestCookie(req: IncomingMessage): string | undefined {
    const value = (req.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([key]) => key === COOKIE_NAME)?.[1];
    return value === '' ? undefined : value;
  }

  private owner(req: IncomingMessage, cookie: string | undefined): { owner: string; newCookie: string | null } {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && auth.length > 'Bearer '.length) {
      return { owner: `user:${auth.slice('Bearer '.length)}`, newCookie: null };
    }
    if (cookie !== undefined) {
      return { owner: `guest:${cookie}`, newCookie: null };
    }
    const id = randomUUID();
    return { owner: `guest:${id}`, newCookie: id };
  }

  private idempotent(req: IncomingMessage, owner: string, fingerprint: string, compute: () => Reply): Reply {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || req.method === 'GET') {
      return compute();
    }
    this.idempotencyKeys.push(key);
    const seen = this.replies.get(`${owner} ${key}`);
    if (seen !== undefined) {
      if (seen.fingerprint !== fingerprint) {
        throw new Problem(422, 'validation-error', 'this Idempotency-Key was used for a different request');
      }
      return seen.reply;
    }
    const reply = compute();
    this.replies.set(`${owner} ${key}`, { fingerprint, reply });
    return reply;
  }

  private route(method: string, path: string[], owner: string, body: string, guestCookie: string | undefined): Reply {
    const [head, second, third] = path;
    const key = `${method} ${path.length}`;
    if (head === 'health' && key === 'GET 1') {
      return { status: 200, body: { status: 'ok', region: 'local' } };
    }
    if (head === 'products' && key === 'GET 1') {
      return { status: 200, body: { products: this.catalog.map((entry) => this.product(entry)) } };
    }
    if (head === 'products' && key === 'GET 2') {
      return { status: 200, body: this.product(this.entry(second as string, 404)) };
    }
    if (head === 'cart' && key === 'GET 1') {
      return { status: 200, body: this.cart(owner) };
    }
    if (head === 'cart' && second === 'items' && key === 'POST 2') {
      const { sku, quantity } = this.json(body, ['sku', 'quantity']);
      const entry = this.entry(this.sku(sku), 422);
      const lines = this.cartState(owner).lines;
      const total = (lines.get(entry.sku) ?? 0) + this.quantity(quantity);
      if (total > MAX_QUANTITY) {
        throw new Problem(422, 'validation-error', `SKU '${entry.sku}' would reach quantity ${total}; at most ${MAX_QUANTITY} per line`);
      }
      return this.write(owner, entry.sku, total);
    }
    if (head === 'cart' && second === 'items' && key === 'PUT 3') {
      const sku = this.sku(third);
      if (!this.cartState(owner).lines.has(sku)) {
        throw new Problem(404, 'not-found', `SKU '${sku}' is not in the cart`);
      }
      return this.write(owner, sku, this.quantity(this.json(body, ['quantity']).quantity));
    }
    if (head === 'cart' && second === 'items' && key === 'DELETE 3') {
      return this.write(owner, this.sku(third), 0);
    }
    if (head === 'cart' && second === 'merge' && key === 'POST 2') {
      return this.merge(owner, guestCookie);
    }
    if (head === 'checkout' && key === 'POST 1') {
      return { status: 201, body: this.checkout(owner) };
    }
    if (head === 'orders' && key === 'GET 2') {
      const found = this.orders.get(second as string);
      if (found === undefined || found.owner !== owner) {
        throw new Problem(404, 'not-found', `no order ${second}`);
      }
      return { status: 200, body: found.order };
    }
    throw new Problem(404, 'not-found', `no route for ${method} /api/${path.join('/')}`);
  }

  product(entry: CatalogEntry): Product {
    const { asset_status, manifest_key, ...rest } = entry;
    return { ...rest, asset: { status: asset_status, manifest_url: manifest_key === null ? null : `/${manifest_key}` } };
  }

  private entry(sku: string, statusIfMissing: number): CatalogEntry {
    const entry = this.catalog.find((e) => e.sku === sku);
    if (entry === undefined) {
      throw new Problem(statusIfMissing, statusIfMissing === 404 ? 'not-found' : 'validation-error', `no product with SKU '${sku}'`);
    }
    return entry;
  }

  private json(body: string, fields: readonly string[]): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Problem(400, 'bad-request', 'the body must be JSON');
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new Problem(422, 'validation-error', `the body must be an object with ${fields.join(', ')}`);
    }
    const missing = fields.filter((f) => !(f in parsed));
    if (missing.length > 0) {
      throw new Problem(422, 'validation-error', `missing field(s): ${missing.join(', ')}`);
    }
    return parsed as Record<string, unknown>;
  }

  private sku(value: unknown): string {
    if (typeof value !== 'string' || !SKU_PATTERN.test(value)) {
      throw new Problem(422, 'validation-error', `${JSON.stringify(value)} is not a SKU: letters, digits, '.', '_', '-'`);
    }
    return value;
  }

  private quantity(value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_QUANTITY) {
      throw new Problem(422, 'validation-error', `quantity must be an integer from 1 to ${MAX_QUANTITY}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  private cartState(owner: string): { version: number; lines: Map<string, number> } {
    let state = this.carts.get(owner);
    if (state === undefined) {
      state = { version: 0, lines: new Map() };
      this.carts.set(owner, state);
    }
    return state;
  }

  private write(owner: string, sku: string, quantity: number): Reply {
    const state = this.cartState(owner);
    if (quantity === 0) {
      state.lines.delete(sku);
    } else {
      state.lines.set(sku, quantity);
    }
    state.version += 1;
    return { status: 200, body: this.cart(owner) };
  }

  private lines(owner: string): CartLine[] {
    return [...this.cartState(owner).lines].map(([sku, quantity]) => {
      const entry = this.entry(sku, 404);
      return { sku, name: entry.name, quantity, unit_price_minor: entry.price_minor, line_total_minor: entry.price_minor * quantity };
    });
  }

  private cart(owner: string): Cart {
    const lines = this.lines(owner);
    return {
      cart_id: owner,
      version: this.cartState(owner).version,
      currency: this.currency,
      total_minor: lines.reduce((sum, l) => sum + l.line_total_minor, 0),
      lines,
    };
  }

  /** Guest lines move into the user's cart; quantities add up, capped at MAX_QUANTITY. */
  private merge(owner: string, guestCookie: string | undefined): Reply {
    if (!owner.startsWith('user:')) {
      throw new Problem(401, 'unauthorized', "merging needs a signed-in user: send 'Authorization: Bearer <token>'");
    }
    if (guestCookie === undefined) {
      return { status: 200, body: this.cart(owner) };
    }
    const guest = `guest:${guestCookie}`;
    const into = this.cartState(owner);
    for (const [sku, quantity] of this.cartState(guest).lines) {
      into.lines.set(sku, Math.min(MAX_QUANTITY, (into.lines.get(sku) ?? 0) + quantity));
    }
    into.version += 1;
    this.carts.delete(guest);
    return { status: 200, body: this.cart(owner), clearGuestCookie: true };
  }

  private checkout(owner: string): Order {
    const lines = this.lines(owner);
    if (lines.length === 0) {
      throw new Problem(422, 'validation-error', 'the cart is empty: add items before checking out');
    }
    const order: Order = {
      order_id: randomUUID(),
      status: 'PENDING_PAYMENT',
      currency: this.currency,
      total_minor: lines.reduce((sum, l) => sum + l.line_total_minor, 0),
      lines,
      created_at: new Date().toISOString(),
    };
    this.orders.set(order.order_id, { owner, order });
    this.carts.delete(owner);
    return order;
  }
}
