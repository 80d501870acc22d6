import { describe, expect, it } from 'vitest';
import { parseRoute, productHref } from '../../src/router';
import { formatMoney } from '../../src/ui/money';

describe('formatMoney', () => {
  it('uses the currency own number of minor digits', () => {
    expect(formatMoney(12345, 'EUR', 'en-US')).toBe('€123.45');
    expect(formatMoney(12345, 'JPY', 'en-US')).toBe('¥12,345');
    expect(formatMoney(12345, 'KWD', 'en-US')).toMatch(/12\.345/);
  });

  it('refuses fractional minor units', () => {
    expect(() => formatMoney(1.5, 'EUR')).toThrow(/integer number of minor units, got 1.5/);
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
