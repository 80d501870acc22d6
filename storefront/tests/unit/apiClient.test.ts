import { readFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client';
import { ApiError } from '../../src/api/problem';
import { ContractApi, type CatalogEntry } from '../support/contractApi';
import { startServer, type RunningServer } from '../support/httpServer';

const CATALOG: CatalogEntry[] = [
  { sku: 'CHAIR-1', name: 'Chair', description: 'Oak', price_minor: 12_900, currency: 'EUR', asset_status: 'READY', manifest_key: 'assets/CHAIR-1/abc/manifest.json' },
  { sku: 'LAMP-2', name: 'Lamp', description: 'Brass', price_minor: 4_550, currency: 'EUR', asset_status: 'PENDING', manifest_key: null },
];

let api: ContractApi;
let server: RunningServer;
let flakyPosts = 0;
const pagedUrls: string[] = [];

beforeAll(async () => {
  api = new ContractApi(CATALOG);
  server = await startServer((req, res, body) => {
    const url = req.url ?? '/';
    if (url.startsWith('/down/')) {
      res.statusCode = 502;
      res.setHeader('Content-Type', 'text/html');
      res.end('<html>upstream unavailable</html>');
      return;
    }
    if (url.startsWith('/paged/')) {
      // A product list in pages, as the cart API pages its by-status index: the shape of the
      // API's own OpenAPI document (docs/cart-openapi.json, `Products`; checked below).
      pagedUrls.push(url);
      const next = url.includes('cursor=') ? null : 'c2/+=';
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ products: [api.product(CATALOG[next === null ? 1 : 0] as CatalogEntry)], next_cursor: next }));
      return;
    }
    if (url.startsWith('/flaky/')) {
      req.url = url.slice('/flaky'.length);
      if (req.method === 'POST' && flakyPosts++ === 0) {
        // The request is processed but its answer is lost on the way back: the reply
        // goes to a response bound to no socket, and the connection is cut.
        api.handle(req, new ServerResponse(req), body);
        req.socket.destroy();
        return;
      }
    }
    if (!api.handle(req, res, body)) {
      res.statusCode = 404;
      res.end();
    }
  });
});

afterAll(async () => {
  await server.close();
});

function client(user: string, prefix = ''): ApiClient {
  return new ApiClient({ baseUrl: server.url + prefix, headers: () => ({ Authorization: `Bearer ${user}` }) });
}

describe('ApiClient against a server speaking the cart contract', () => {
  it('lists products and reads one, with the asset manifest URL', async () => {
    const { products, next_cursor: next } = await client('u1').listProducts();
    expect(products.map((p) => p.sku)).toEqual(['CHAIR-1', 'LAMP-2']);
    expect(next).toBeNull();
    const chair = await client('u1').getProduct('CHAIR-1');
    expect(chair.asset).toEqual({ status: 'READY', manifest_url: '/assets/CHAIR-1/abc/manifest.json' });
  });

  it('pages the product list by the cursor the API returns, encoding category, limit and cursor', async () => {
    const paged = client('u1', 'paged/');
    const first = await paged.listProducts({ category: 'lighting', limit: 1 });
    expect(first).toMatchObject({ products: [{ sku: 'CHAIR-1' }], next_cursor: 'c2/+=' });
    const second = await paged.listProducts({ category: 'lighting', cursor: first.next_cursor });
    expect(second).toMatchObject({ products: [{ sku: 'LAMP-2' }], next_cursor: null });
    const openapi = JSON.parse(readFileSync(new URL('../../../docs/cart-openapi.json', import.meta.url), 'utf-8')) as {
      components: { schemas: { Products: { required: string[] } } };
    };
    expect(openapi.components.schemas.Products.required.sort()).toEqual(Object.keys(first).sort());
    expect(pagedUrls).toEqual(['/paged/api/products?category=lighting&limit=1', '/paged/api/products?category=lighting&cursor=c2%2F%2B%3D']);
  });

  it('adds, sets and removes lines; every mutation carries its own Idempotency-Key', async () => {
    const shopper = client('u2');
    const before = api.idempotencyKeys.length;
    let cart = await shopper.addItem('CHAIR-1', 2);
    expect(cart.total_minor).toBe(25_800);
    cart = await shopper.addItem('LAMP-2', 1);
    cart = await shopper.setQuantity('CHAIR-1', 3);
    expect(cart.lines.find((l) => l.sku === 'CHAIR-1')?.line_total_minor).toBe(38_700);
    expect(cart.total_minor).toBe(38_700 + 4_550);
    cart = await shopper.removeItem('LAMP-2');
    expect(cart.lines.map((l) => l.sku)).toEqual(['CHAIR-1']);
    const keys = api.idempotencyKeys.slice(before);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });

  it('checks out to a PENDING_PAYMENT order that only its owner can read', async () => {
    const owner = client('u3');
    await owner.addItem('LAMP-2', 2);
    const order = await owner.checkout();
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.total_minor).toBe(9_100);
    expect((await owner.getOrder(order.order_id)).order_id).toBe(order.order_id);
    expect((await owner.getCart()).lines).toEqual([]);
    const other = await client('u4').getOrder(order.order_id).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ApiError);
    expect((other as ApiError).status).toBe(404);
  });

  it('merges the guest cart into the signed-in user cart, adding quantities', async () => {
    const cookie = 'shop3d_cart=guest-merge-1';
    const guest = new ApiClient({ baseUrl: server.url, headers: () => ({ Cookie: cookie }) });
    await guest.addItem('CHAIR-1', 2);
    await guest.addItem('LAMP-2', 1);
    const user = new ApiClient({ baseUrl: server.url, headers: () => ({ Cookie: cookie, Authorization: 'Bearer merge-user' }) });
    await user.addItem('CHAIR-1', 1);
    const merged = await user.mergeGuestCart();
    expect(merged.lines.map((l) => [l.sku, l.quantity])).toEqual([['CHAIR-1', 3], ['LAMP-2', 1]]);
    expect((await guest.getCart()).lines).toEqual([]);
    const anonymous = await guest.mergeGuestCart().catch((e: unknown) => e);
    expect((anonymous as ApiError).problem).toMatchObject({ status: 401, detail: expect.stringMatching(/signed-in user/) });
  });

  it('turns problem details into an ApiError that keeps the server detail', async () => {
    const failure = await client('u5').addItem('CHAIR-1', 100).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    const { problem } = failure as ApiError;
    expect(problem.status).toBe(422);
    expect(problem.type).toBe('https://shop3d.example/problems/validation-error');
    expect(problem.detail).toMatch(/quantity must be an integer from 1 to 99, got 100/);
    const empty = await client('u5').checkout().catch((e: unknown) => e);
    expect((empty as ApiError).problem.detail).toMatch(/cart is empty/);
  });

  it('describes a non-JSON gateway error instead of failing to parse it', async () => {
    const failure = await client('u6', 'down/').listProducts().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem).toMatchObject({ status: 502, title: 'Bad Gateway', detail: '<html>upstream unavailable</html>' });
  });

  it('retries a mutation whose answer was lost with the same Idempotency-Key, so it acts once', async () => {
    const before = api.idempotencyKeys.length;
    const cart = await client('u7', 'flaky/').addItem('CHAIR-1', 1);
    const keys = api.idempotencyKeys.slice(before);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(cart.lines[0]?.quantity).toBe(1);
  });

  it('reports a server that cannot be reached as a network problem', async () => {
    const dead = await startServer(() => undefined);
    await dead.close();
    const failure = await new ApiClient({ baseUrl: dead.url, retries: 0 }).getCart().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem.title).toBe('Network error');
    expect((failure as ApiError).problem.detail).toContain(`${dead.url}api/cart`);
  });

  it('refuses a quantity that is not a whole number >= 1 before sending anything', async () => {
    const before = server.requests.length;
    await expect(client('u8').addItem('CHAIR-1', 0)).rejects.toThrow(/whole number of at least 1, got 0/);
    await expect(client('u8').setQuantity('CHAIR-1', 1.5)).rejects.toThrow(/got 1.5/);
    expect(server.requests.length).toBe(before);
  });
});
