import type { ApiClient } from '../api/client';
import { ApiError } from '../api/problem';
import type { AssetStatus } from '../api/types';
import { queryParams, type SearchQuery } from './searchQuery';

/** One result of GET /api/search (docs/search.md). */
export interface SearchResult {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly price_minor: number;
  readonly currency: string;
  readonly in_stock: boolean;
  readonly asset: { readonly status: AssetStatus; readonly manifest_url: string | null };
}

/** A price band as the API counts it: min_minor inclusive, max_minor exclusive (null: no top). */
export interface PriceBand {
  readonly min_minor: number;
  readonly max_minor: number | null;
  readonly count: number;
}

export interface SearchPage {
  readonly results: readonly SearchResult[];
  readonly next_cursor: string | null;
  readonly facets: {
    readonly categories: Readonly<Record<string, number>>;
    readonly price_bands: readonly PriceBand[];
    /** False when the counts are of the first matches only (the API caps what it counts). */
    readonly exact: boolean;
  };
  readonly sort: string;
}

/** The API's own page cap (SEARCH_PAGE_MAX in handlers/cart/limits.py). */
export const SEARCH_PAGE_MAX = 50;

function unexpected(detail: string): ApiError {
  return new ApiError({ type: 'about:blank', title: 'Unexpected response', status: 0, detail });
}

function checkPage(body: unknown): SearchPage {
  const page = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
  if (page === null || !Array.isArray(page.results) || !('next_cursor' in page)) {
    throw unexpected('The search response lacks results or next_cursor.');
  }
  const facets = page.facets as Record<string, unknown> | undefined;
  if (typeof facets !== 'object' || facets === null || !Array.isArray(facets.price_bands)) {
    throw unexpected('The search response lacks its facets.');
  }
  for (const result of page.results as unknown[]) {
    const r = result as Record<string, unknown> | null;
    if (r === null || typeof r.sku !== 'string' || typeof r.price_minor !== 'number' || typeof r.asset !== 'object') {
      throw unexpected('A search result lacks sku, price_minor or asset.');
    }
  }
  return body as SearchPage;
}

/** One page of results; `cursor` is the previous page's next_cursor. */
export async function searchCatalog(
  api: ApiClient,
  query: SearchQuery,
  options: { readonly cursor?: string | null; readonly limit?: number } = {},
): Promise<SearchPage> {
  const params = queryParams(query);
  if (options.limit !== undefined) params.set('limit', String(Math.min(Math.max(1, options.limit), SEARCH_PAGE_MAX)));
  if (options.cursor) params.set('cursor', options.cursor);
  const text = params.toString();
  return checkPage(await api.send('GET', text === '' ? 'search' : `search?${text}`));
}

/** The filter a band stands for: the API's max_price is inclusive, a band's top is not. */
export function bandRange(band: PriceBand): { minPrice: number | null; maxPrice: number | null } {
  return {
    minPrice: band.min_minor === 0 ? null : band.min_minor,
    maxPrice: band.max_minor === null ? null : band.max_minor - 1,
  };
}

export function isChosenBand(band: PriceBand, query: SearchQuery): boolean {
  const range = bandRange(band);
  return range.minPrice === query.minPrice && range.maxPrice === query.maxPrice;
}
