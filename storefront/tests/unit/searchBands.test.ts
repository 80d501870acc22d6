import { describe, expect, it } from 'vitest';
import { bandLabel } from '../../src/search/searchPage';

describe('the search price bands', () => {
  it('keep the currency sign when there are no hits to take it from', () => {
    expect(bandLabel({ min_minor: 0, max_minor: 2500, count: 0 }, null)).toBe('Under €25.00');
    expect(bandLabel({ min_minor: 50000, max_minor: null, count: 0 }, null)).toBe('€500.00 and up');
    expect(bandLabel({ min_minor: 2500, max_minor: 5000, count: 1 }, 'EUR')).toBe('€25.00 to €50.00');
  });
});
