/**
 * The search page's state, as its URL holds it (/search?q=&category=&min_price=&max_price=
 * &in_stock=&sort=): the same parameter names GET /api/search takes (docs/search.md), so a
 * results page can be linked and the API query is the URL's own query.
 */

export const SEARCH_PATH = '/search';
export const SORTS = ['relevance', 'price', 'newest'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchQuery {
  readonly q: string;
  readonly category: string | null;
  readonly minPrice: number | null;
  readonly maxPrice: number | null;
  /** true: in stock only; false: sold out only; null: either. */
  readonly inStock: boolean | null;
  readonly sort: Sort;
}

export const EMPTY_QUERY: SearchQuery = {
  q: '',
  category: null,
  minPrice: null,
  maxPrice: null,
  inStock: null,
  sort: 'relevance',
};

function wholeNumber(text: string | null): number | null {
  return text !== null && /^\d{1,13}$/.test(text) ? Number(text) : null;
}

/** Reads a query from a URL's search part; values the API would refuse are dropped, not sent. */
export function queryFromUrl(search: string): SearchQuery {
  const params = new URLSearchParams(search);
  const sort = params.get('sort');
  const inStock = params.get('in_stock');
  return {
    q: (params.get('q') ?? '').trim(),
    category: params.get('category') || null,
    minPrice: wholeNumber(params.get('min_price')),
    maxPrice: wholeNumber(params.get('max_price')),
    inStock: inStock === 'true' ? true : inStock === 'false' ? false : null,
    sort: SORTS.find((s) => s === sort) ?? 'relevance',
  };
}

/** The query's parameters, defaults left out (so equal queries have equal URLs). */
export function queryParams(query: SearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q !== '') params.set('q', query.q);
  if (query.category !== null) params.set('category', query.category);
  if (query.minPrice !== null) params.set('min_price', String(query.minPrice));
  if (query.maxPrice !== null) params.set('max_price', String(query.maxPrice));
  if (query.inStock !== null) params.set('in_stock', String(query.inStock));
  if (query.sort !== 'relevance') params.set('sort', query.sort);
  return params;
}

/** The results page of a query: /search?q=... */
export function searchHref(query: SearchQuery): string {
  const text = queryParams(query).toString();
  return text === '' ? SEARCH_PATH : `${SEARCH_PATH}?${text}`;
}

/** The same query with some fields changed (a filter chosen); sort and filters otherwise kept. */
export function withChanges(query: SearchQuery, changes: Partial<SearchQuery>): SearchQuery {
  return { ...query, ...changes };
}
