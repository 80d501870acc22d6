import { describe, expect, it } from 'vitest';
import { comboKey, type ComboState } from '../../src/search/combobox';

const closed: ComboState = { open: false, active: -1, count: 3 };
const open = (active: number): ComboState => ({ open: true, active, count: 3 });

describe('the search box keyboard (ARIA combobox with a list)', () => {
  it('ArrowDown opens the list at the first suggestion, walks down, then back to the text', () => {
    expect(comboKey(closed, 'ArrowDown')).toEqual({ kind: 'move', state: open(0) });
    expect(comboKey(open(0), 'ArrowDown')).toEqual({ kind: 'move', state: open(1) });
    expect(comboKey(open(2), 'ArrowDown')).toEqual({ kind: 'move', state: open(-1) });
  });

  it('ArrowUp from the text goes to the last suggestion, and from the first back to the text', () => {
    expect(comboKey(open(-1), 'ArrowUp')).toEqual({ kind: 'move', state: open(2) });
    expect(comboKey(open(0), 'ArrowUp')).toEqual({ kind: 'move', state: open(-1) });
  });

  it('arrows do nothing without suggestions', () => {
    expect(comboKey({ open: false, active: -1, count: 0 }, 'ArrowDown')).toEqual({ kind: 'none' });
  });

  it('Enter picks the highlighted suggestion, or else searches the text', () => {
    expect(comboKey(open(1), 'Enter')).toEqual({ kind: 'pick', index: 1 });
    expect(comboKey(open(-1), 'Enter')).toEqual({ kind: 'search' });
    expect(comboKey(closed, 'Enter')).toEqual({ kind: 'search' });
  });

  it('Escape closes an open list first, and clears the text when the list is closed', () => {
    expect(comboKey(open(1), 'Escape')).toEqual({ kind: 'close', state: { open: false, active: -1, count: 3 } });
    expect(comboKey(closed, 'Escape')).toEqual({ kind: 'clear', state: { open: false, active: -1, count: 0 } });
  });

  it('leaves every other key to the input', () => {
    expect(comboKey(open(0), 'a')).toEqual({ kind: 'none' });
    expect(comboKey(open(0), 'Tab')).toEqual({ kind: 'none' });
  });
});
