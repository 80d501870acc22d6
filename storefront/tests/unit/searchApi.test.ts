import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client';
import { ApiError } from '../../src/api/problem';
import { searchCatalog } from '../../src/search/searchApi';
import { EMPTY_QUERY, queryFromUrl } from '../../src/search/searchQuery';
import { sendJson, sendProblem, startServer, type RunningServer } from '../support/httpServer';

const PAGE = {
  results: [
    { sku: 'LAMP-1', name: 'Brass lamp', description: 'Warm', category: 'lighting', price_minor: 4500, currency: 'EUR', in_stock: true, asset: { status: 'READY', manifest_url: '/assets/LAMP-1/m.json' } },
  ],
  next_cursor: 'abc',
  facets: { categories: { lighting: 1 }, price_bands: [{ min_minor: 0, max_minor: 2500, count: 0 }], exact: true },
  sort: 'relevance',
};

let server: RunningServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.searchParams.get('q') === 'bad') {
      // What the cart API answers for a refused parameter (handlers/cart/api/search.py).
      sendProblem(res, 400, 'Bad request', 'q must be up to 200 characters and 8 words');
    } else if (url.searchParams.get('q') === 'odd') {
      sendJson(res, 200, { results: 'none' });
    } else {
      sendJson(res, 200, PAGE);
    }
  });
});

afterAll(async () => {
  await server.close();
});

const api = (): ApiClient => new ApiClient({ baseUrl: server.url });

describe('searchCatalog over HTTP', () => {
  it('sends the URL query as the API query, with the cursor and a capped limit', async () => {
    const query = queryFromUrl('?q=brass%20lamp&category=lighting&in_stock=true&sort=price');
    const page = await searchCatalog(api(), query, { cursor: 'abc', limit: 500 });
    expect(page.results.map((r) => r.sku)).toEqual(['LAMP-1']);
    expect(server.requests.at(-1)).toBe('GET /api/search?q=brass+lamp&category=lighting&in_stock=true&sort=price&limit=50&cursor=abc');
  });

  it('asks for everything when there is no query at all', async () => {
    await searchCatalog(api(), EMPTY_QUERY);
    expect(server.requests.at(-1)).toBe('GET /api/search');
  });

  it("hands the API's problem on, detail included", async () => {
    const failure = await searchCatalog(api(), { ...EMPTY_QUERY, q: 'bad' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(400);
    expect((failure as ApiError).problem.detail).toBe('q must be up to 200 characters and 8 words');
  });

  it('refuses an answer without the shape of a search page', async () => {
    const failure = await searchCatalog(api(), { ...EMPTY_QUERY, q: 'odd' }).catch((e: unknown) => e);
    expect((failure as ApiError).problem.title).toBe('Unexpected response');
  });
});
