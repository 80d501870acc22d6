import type { Page } from '../pages/context';
import { productCard } from '../pages/products';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { categoryLabel } from '../ui/labels';
import { formatMoney, SHOP_CURRENCY } from '../ui/money';
import { bandRange, isChosenBand, searchCatalog, type PriceBand, type SearchPage, type SearchResult } from './searchApi';
import { EMPTY_QUERY, queryFromUrl, searchHref, SORTS, withChanges, type SearchQuery, type Sort } from './searchQuery';
import { go } from '../router';

const SORT_LABELS: Record<Sort, string> = { relevance: 'Best match', price: 'Price, low to high', newest: 'Newest' };

/** A band's words, in the results' currency; with no results, the shop's (the bands are in it). */
export function bandLabel(band: PriceBand, currency: string | null): string {
  const money = (minor: number): string => formatMoney(minor, currency ?? SHOP_CURRENCY);
  if (band.max_minor === null) return `${money(band.min_minor)} and up`;
  return band.min_minor === 0 ? `Under ${money(band.max_minor)}` : `${money(band.min_minor)} to ${money(band.max_minor)}`;
}

/** A facet choice: a link (so it can be opened in a tab, and works as the router's navigation). */
function choice(label: string, count: number | null, href: string, chosen: boolean, testid: string): HTMLElement {
  return h(
    'li',
    {},
    h(
      'a',
      { href, testid, 'aria-current': chosen ? 'true' : undefined, class: chosen ? 'chosen' : undefined },
      label,
      count === null ? null : h('span', { class: 'count' }, ` (${count})`),
    ),
  );
}

function filters(query: SearchQuery, page: SearchPage): HTMLElement {
  const { categories, price_bands: bands, exact } = page.facets;
  const currency = page.results[0]?.currency ?? null;
  const categoryList = h(
    'ul',
    { class: 'facet', testid: 'facet-categories' },
    choice('All categories', null, searchHref(withChanges(query, { category: null })), query.category === null, 'facet-category-all'),
    ...Object.entries(categories).map(([name, count]) =>
      choice(categoryLabel(name), count, searchHref(withChanges(query, { category: name })), query.category === name, 'facet-category'),
    ),
  );
  const anyPrice = query.minPrice === null && query.maxPrice === null;
  const bandList = h(
    'ul',
    { class: 'facet', testid: 'facet-prices' },
    choice('Any price', null, searchHref(withChanges(query, { minPrice: null, maxPrice: null })), anyPrice, 'facet-price-any'),
    ...bands.map((band) =>
      choice(bandLabel(band, currency), band.count, searchHref(withChanges(query, bandRange(band))), isChosenBand(band, query), 'facet-price'),
    ),
  );
  const inStock = h('input', {
    type: 'checkbox',
    testid: 'filter-in-stock',
    checked: query.inStock === true,
    onchange: (event: Event) => go(searchHref(withChanges(query, { inStock: (event.target as HTMLInputElement).checked ? true : null }))),
  });
  const sort = h(
    'select',
    {
      testid: 'search-sort',
      onchange: (event: Event) => {
        const chosen = SORTS.find((s) => s === (event.target as HTMLSelectElement).value) ?? 'relevance';
        go(searchHref(withChanges(query, { sort: chosen })));
      },
    },
    ...SORTS.map((s) => h('option', { value: s, selected: s === query.sort }, SORT_LABELS[s])),
  );
  return h(
    'aside',
    { class: 'filters', 'aria-label': 'Filters', testid: 'search-filters' },
    h('label', { class: 'field' }, h('span', {}, 'Sort by'), sort),
    h('label', { class: 'check' }, inStock, ' In stock only'),
    h('h2', {}, 'Category'),
    categoryList,
    h('h2', {}, 'Price'),
    bandList,
    exact ? null : h('p', { class: 'small', testid: 'facets-inexact' }, 'Counts are of the first matches only.'),
  );
}

function resultCard(result: SearchResult): HTMLElement {
  const card = productCard(result);
  card.dataset.testid = 'search-result';
  if (!result.in_stock) {
    card.querySelector('a')?.append(h('p', { class: 'sold-out' }, 'Sold out'));
  }
  return card;
}

function heading(query: SearchQuery): string {
  return query.q === '' ? 'All products' : `Results for “${query.q}”`;
}

function hasFilters(query: SearchQuery): boolean {
  return query.category !== null || query.minPrice !== null || query.maxPrice !== null || query.inStock !== null;
}

function emptyState(query: SearchQuery): HTMLElement {
  const words = query.q === '' ? 'No products match these filters.' : `No products match “${query.q}”${hasFilters(query) ? ' with these filters' : ''}.`;
  return h(
    'div',
    { class: 'empty', testid: 'search-empty' },
    h('p', {}, words),
    hasFilters(query)
      ? h('p', {}, h('a', { href: searchHref({ ...EMPTY_QUERY, q: query.q, sort: query.sort }), testid: 'search-clear-filters' }, 'Clear the filters'))
      : h('p', {}, 'Check the spelling, or try fewer or more general words.'),
  );
}

/** /search?q=...: results with facets, more pages by the API's cursor (docs/storefront.md). */
export const searchPage = (search: string): Page => async (ctx, outlet, signal) => {
  const query = queryFromUrl(search);
  document.title = `${heading(query)} · shop3d`;
  const show = async (): Promise<void> => {
    let first: SearchPage;
    try {
      first = await searchCatalog(ctx.api, query);
    } catch (failure) {
      if (signal.aborted) return;
      const retry = h('button', { type: 'button', testid: 'search-retry', onclick: () => void show() }, 'Try again');
      outlet.replaceChildren(h('h1', {}, heading(query)), errorBox(failure), retry);
      return;
    }
    if (signal.aborted) return;
    const grid = h('ul', { class: 'grid', testid: 'search-results' }, ...first.results.map(resultCard));
    const count = h('p', { class: 'small', role: 'status', testid: 'search-count' });
    const more = h('button', { type: 'button', testid: 'search-more' }, 'More results');
    const feedback = h('div', {});
    let cursor = first.next_cursor;
    const counted = (): void => {
      count.textContent = `Showing ${grid.children.length} result${grid.children.length === 1 ? '' : 's'}${cursor === null ? '' : ', more below'}.`;
      more.hidden = cursor === null;
    };
    more.addEventListener('click', () => {
      more.disabled = true;
      feedback.replaceChildren();
      searchCatalog(ctx.api, query, { cursor })
        .then((next) => {
          if (signal.aborted) return;
          grid.append(...next.results.map(resultCard));
          cursor = next.next_cursor;
          counted();
        })
        .catch((failure: unknown) => feedback.replaceChildren(errorBox(failure)))
        .finally(() => (more.disabled = false));
    });
    counted();
    outlet.replaceChildren(
      h('h1', { testid: 'search-heading' }, heading(query)),
      h(
        'div',
        { class: 'search-layout' },
        filters(query, first),
        h('section', { 'aria-label': 'Results' }, count, first.results.length === 0 ? emptyState(query) : grid, more, feedback),
      ),
    );
  };
  await show();
};
