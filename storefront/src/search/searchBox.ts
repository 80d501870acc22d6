import type { ApiClient } from '../api/client';
import { go, NAVIGATE_EVENT, productHref } from '../router';
import { h } from '../ui/dom';
import { formatMoney } from '../ui/money';
import { comboKey, type ComboState } from './combobox';
import { searchCatalog, type SearchResult } from './searchApi';
import { EMPTY_QUERY, queryFromUrl, SEARCH_PATH, searchHref } from './searchQuery';
import { Suggester } from './suggester';

/** Suggestions shown under the box. */
export const SUGGESTION_COUNT = 6;

function optionId(listId: string, index: number): string {
  return `${listId}-option-${index}`;
}

/**
 * Makes the header's search form (index.html: a plain GET form to /search, which works without
 * JavaScript) a combobox with suggestions. The input owns the focus throughout; the highlighted
 * suggestion is named by aria-activedescendant, as the ARIA combobox pattern asks.
 */
export function enhanceSearchBox(form: HTMLFormElement, api: ApiClient): void {
  const input = form.querySelector<HTMLInputElement>('input[name="q"]');
  const list = form.querySelector<HTMLUListElement>('[role="listbox"]');
  const status = form.querySelector<HTMLElement>('[role="status"]');
  if (input === null || list === null || status === null) {
    throw new Error('the search form needs input[name=q], a [role=listbox] and a [role=status]');
  }
  let items: readonly SearchResult[] = [];
  let state: ComboState = { open: false, active: -1, count: 0 };

  const render = (): void => {
    list.hidden = !state.open;
    input.setAttribute('aria-expanded', String(state.open));
    list.querySelectorAll('[role="option"]').forEach((option, index) => {
      option.setAttribute('aria-selected', String(index === state.active));
    });
    if (state.open && state.active >= 0) {
      input.setAttribute('aria-activedescendant', optionId(list.id, state.active));
      document.getElementById(optionId(list.id, state.active))?.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const close = (): void => {
    state = { ...state, open: false, active: -1 };
    render();
  };

  const pick = (index: number): void => {
    const chosen = items[index];
    if (chosen === undefined) return;
    suggester.cancel();
    close();
    go(productHref(chosen.sku));
  };

  const show = (text: string, found: readonly SearchResult[]): void => {
    items = found;
    list.replaceChildren(
      ...found.map((result, index) =>
        h(
          'li',
          {
            role: 'option',
            id: optionId(list.id, index),
            'aria-selected': 'false',
            class: 'suggestion',
            testid: 'search-suggestion',
            'data-sku': result.sku,
            // mousedown, not click: the input keeps the focus, so the list is not closed first.
            onmousedown: (event: Event) => {
              event.preventDefault();
              pick(index);
            },
          },
          h('span', { class: 'name' }, result.name),
          h('span', { class: 'price' }, formatMoney(result.price_minor, result.currency)),
        ),
      ),
    );
    state = { open: found.length > 0, active: -1, count: found.length };
    status.textContent =
      text === '' ? '' : found.length === 0 ? 'No suggestions.' : `${found.length} suggestions: use the arrow keys to choose.`;
    render();
  };

  const suggester = new Suggester<SearchResult>({
    fetch: async (text) => (await searchCatalog(api, { ...EMPTY_QUERY, q: text }, { limit: SUGGESTION_COUNT })).results,
    show,
    // A failed suggestion is not an error to show: the shopper can still search with Enter.
    failed: () => show('', []),
  });

  input.addEventListener('input', () => suggester.typed(input.value));
  input.addEventListener('keydown', (event) => {
    const action = comboKey(state, event.key);
    switch (action.kind) {
      case 'move':
      case 'close':
        event.preventDefault();
        state = action.state;
        render();
        return;
      case 'clear':
        event.preventDefault();
        suggester.cancel();
        input.value = '';
        show('', []);
        return;
      case 'pick':
        event.preventDefault();
        pick(action.index);
        return;
      case 'search':
      case 'none':
        return; // Enter submits the form
    }
  });
  input.addEventListener('blur', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    suggester.cancel();
    close();
    // A new text is a new search: filters chosen for the previous words are dropped.
    go(searchHref({ ...EMPTY_QUERY, q: input.value.trim() }));
  });

  // The box says what the results page searched for (a linked or restored /search URL).
  const follow = (): void => {
    suggester.cancel();
    close();
    if (location.pathname === SEARCH_PATH) {
      input.value = queryFromUrl(location.search).q;
    }
  };
  window.addEventListener(NAVIGATE_EVENT, follow);
  window.addEventListener('popstate', follow);
  follow();
}
