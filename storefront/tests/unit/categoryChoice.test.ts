import { describe, expect, it } from 'vitest';
import { categoryOptions, categoryToSave } from '../../src/admin/categoryChoice';

const LIST = ['furniture', 'lighting', 'decor'];
const selected = (current: string | null | undefined): string[] =>
  categoryOptions(LIST, current)
    .filter((o) => o.selected)
    .map((o) => o.value);

describe('the admin form category', () => {
  it('selects the product category when it is in the list', () => {
    expect(categoryOptions(LIST, 'decor').map((o) => o.value)).toEqual(LIST);
    expect(selected('decor')).toEqual(['decor']);
  });

  it('keeps a category outside the list selected instead of the first option', () => {
    const options = categoryOptions(LIST, 'props');
    expect(options[0]).toEqual({ value: 'props', label: "Props (not in the shop's list)", selected: true });
    expect(selected('props')).toEqual(['props']);
    // Saved untouched, the PATCH leaves the category alone (not "furniture", not a refused "props").
    expect(categoryToSave('props', 'props')).toBeNull();
    expect(categoryToSave('lighting', 'props')).toBe('lighting');
  });

  it('starts a product without a category on a placeholder that is never sent', () => {
    expect(selected(null)).toEqual(['']);
    expect(selected(undefined)).toEqual(['']);
    expect(categoryToSave('', null)).toBeNull();
    expect(categoryToSave('furniture', null)).toBe('furniture');
  });
});
