/**
 * The keyboard of the search box, as the WAI-ARIA combobox pattern (list autocomplete) has it:
 * ArrowDown/ArrowUp move through the suggestions (wrapping, opening a closed list), Enter picks
 * the highlighted one or else searches the text, Escape closes an open list and clears the text
 * when it is already closed. Pure: the DOM half is searchBox.ts.
 * https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/
 */

export interface ComboState {
  readonly open: boolean;
  /** Index of the highlighted suggestion, -1 for none (focus stays on the text). */
  readonly active: number;
  readonly count: number;
}

export type ComboAction =
  | { readonly kind: 'move'; readonly state: ComboState }
  | { readonly kind: 'pick'; readonly index: number }
  | { readonly kind: 'search' }
  | { readonly kind: 'close'; readonly state: ComboState }
  | { readonly kind: 'clear'; readonly state: ComboState }
  | { readonly kind: 'none' };

export function comboKey(state: ComboState, key: string): ComboAction {
  const { count } = state;
  switch (key) {
    case 'ArrowDown':
    case 'ArrowUp': {
      if (count === 0) return { kind: 'none' };
      const step = key === 'ArrowDown' ? 1 : -1;
      // From "none" Down goes to the first, Up to the last; past either end back to the text.
      const from = state.open ? state.active : -1;
      let next = from + step;
      if (from === -1 && step === -1) next = count - 1;
      if (next >= count || next < -1) next = -1;
      return { kind: 'move', state: { open: true, active: next, count } };
    }
    case 'Enter':
      return state.open && state.active >= 0 && state.active < count
        ? { kind: 'pick', index: state.active }
        : { kind: 'search' };
    case 'Escape':
      return state.open
        ? { kind: 'close', state: { open: false, active: -1, count } }
        : { kind: 'clear', state: { open: false, active: -1, count: 0 } };
    default:
      return { kind: 'none' };
  }
}
