import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../src/router';
import { bandRange, isChosenBand } from '../../src/search/searchApi';
import { EMPTY_QUERY, queryFromUrl, searchHref, withChanges } from '../../src/search/searchQuery';

describe('the search URL', () => {
  it('round-trips every filter through the API parameter names', () => {
    const query = { q: 'oak table', category: 'tables', minPrice: 2500, maxPrice: 4999, inStock: true, sort: 'price' } as const;
    const href = searchHref(query);
    expect(href).toBe('/search?q=oak+table&category=tables&min_price=2500&max_price=4999&in_stock=true&sort=price');
    expect(queryFromUrl(href.slice('/search'.length))).toEqual(query);
  });

  it('leaves defaults out, so the same search has one URL', () => {
    expect(searchHref({ ...EMPTY_QUERY, q: 'lamp' })).toBe('/search?q=lamp');
    expect(searchHref(EMPTY_QUERY)).toBe('/search');
  });

  it('drops values the API would refuse instead of sending them', () => {
    expect(queryFromUrl('?q=%20chair%20&min_price=-5&max_price=1.5&in_stock=maybe&sort=cheapest&category=')).toEqual({
      ...EMPTY_QUERY,
      q: 'chair',
    });
  });

  it('keeps the other filters when one changes', () => {
    const query = queryFromUrl('?q=lamp&category=lighting&sort=newest');
    expect(searchHref(withChanges(query, { inStock: true }))).toBe('/search?q=lamp&category=lighting&in_stock=true&sort=newest');
  });

  it('is a route of its own, with or without a trailing slash', () => {
    expect(parseRoute('/search')).toEqual({ page: 'search' });
    expect(parseRoute('/search/')).toEqual({ page: 'search' });
    expect(parseRoute('/search/more')).toEqual({ page: 'not-found', path: '/search/more' });
  });
});

describe('price bands', () => {
  it('turn an exclusive top into the API inclusive max_price, and an open end into no filter', () => {
    expect(bandRange({ min_minor: 0, max_minor: 2500, count: 3 })).toEqual({ minPrice: null, maxPrice: 2499 });
    expect(bandRange({ min_minor: 2500, max_minor: 5000, count: 1 })).toEqual({ minPrice: 2500, maxPrice: 4999 });
    expect(bandRange({ min_minor: 50000, max_minor: null, count: 0 })).toEqual({ minPrice: 50000, maxPrice: null });
  });

  it('know which band the URL chose', () => {
    const query = queryFromUrl('?min_price=2500&max_price=4999');
    expect(isChosenBand({ min_minor: 2500, max_minor: 5000, count: 1 }, query)).toBe(true);
    expect(isChosenBand({ min_minor: 0, max_minor: 2500, count: 1 }, query)).toBe(false);
  });
});
