/** The edit form's category field: the shop's managed list (GET /api/admin/categories). */

import { categoryLabel } from '../ui/labels';

export interface CategoryOption {
  readonly value: string;
  readonly label: string;
  readonly selected: boolean;
}

/**
 * The options, the product's own category selected. A category outside the list (an older
 * product, an import) is kept as an extra option rather than shown as the first one, which a
 * Save would then write; a product without one starts on a "choose" placeholder.
 */
export function categoryOptions(categories: readonly string[], current: string | null | undefined): CategoryOption[] {
  const listed = categories.map((c) => ({ value: c, label: categoryLabel(c), selected: c === current }));
  if (current === null || current === undefined || current === '') {
    return [{ value: '', label: 'Choose a category', selected: true }, ...listed];
  }
  if (!categories.includes(current)) {
    return [{ value: current, label: `${categoryLabel(current)} (not in the shop's list)`, selected: true }, ...listed];
  }
  return listed;
}

/**
 * What a save sends as the category: null (leave it out) when none is chosen or the product's
 * own is kept, since a PATCH changes only the fields sent and the API refuses a category
 * outside the list.
 */
export function categoryToSave(chosen: string, current: string | null | undefined): string | null {
  return chosen === '' || chosen === current ? null : chosen;
}
