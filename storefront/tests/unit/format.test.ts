import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoute, productHref } from '../../src/router';
import { categoryLabel } from '../../src/ui/labels';
import { formatMoney, SHOP_CURRENCY, SHOP_LOCALE } from '../../src/ui/money';

// The server's shown_price and category_title are held to the same cases (tests/pages/test_formats.py).
const FORMATS = JSON.parse(readFileSync(new URL('../../../tests/fixtures/formats.json', import.meta.url), 'utf8')) as {
  locale: string;
  currency: string;
  prices: [number, string, string][];
  categories: [string, string][];
};

describe('formatMoney', () => {
  it('uses the currency own number of minor digits', () => {
    expect(formatMoney(12345, 'EUR', 'en-US')).toBe('€123.45');
    expect(formatMoney(12345, 'JPY', 'en-US')).toBe('¥12,345');
    expect(formatMoney(12345, 'KWD', 'en-US')).toMatch(/12\.345/);
  });

  it('writes prices as the server-rendered pages do, in the shop locale', () => {
    expect([FORMATS.locale, FORMATS.currency]).toEqual([SHOP_LOCALE, SHOP_CURRENCY]);
    for (const [minor, currency, shown] of FORMATS.prices) {
      expect(formatMoney(minor, currency), `${minor} ${currency}`).toBe(shown);
    }
  });

  it('refuses fractional minor units', () => {
    expect(() => formatMoney(1.5, 'EUR')).toThrow(/integer number of minor units, got 1.5/);
  });
});

describe('categoryLabel', () => {
  it('names categories as the server-rendered pages do', () => {
    for (const [slug, label] of FORMATS.categories) {
      expect(categoryLabel(slug)).toBe(label);
    }
  });
});

describe('parseRoute', () => {
  it('maps hashes to pages and round-trips SKUs with odd characters', () => {
    expect(parseRoute('')).toEqual({ page: 'products', category: null });
    expect(parseRoute('/categories/lighting')).toEqual({ page: 'products', category: 'lighting' });
    expect(parseRoute('/cart')).toEqual({ page: 'cart' });
    expect(parseRoute(productHref('A/B c'))).toEqual({ page: 'product', sku: 'A/B c' });
    expect(parseRoute('/orders/o-1')).toEqual({ page: 'order', orderId: 'o-1' });
    expect(parseRoute('/nope/x/y')).toEqual({ page: 'not-found', path: '/nope/x/y' });
  });
});
