import type { Product } from '../api/types';

/**
 * What the server-rendered HTML holds (handlers/pages embeds it as
 * <script type="application/json" id="page-data">): the storefront takes over from it instead
 * of fetching the same product again.
 */
export type PageData =
  | {
      readonly page: 'product';
      readonly path: string;
      readonly product: Product;
      readonly in_stock: boolean;
      /** The first LOD chosen from the browser's hints (handlers/pages/hints.py), preloaded. */
      readonly first_lod?: string;
    }
  | { readonly page: 'products'; readonly path: string; readonly products: readonly Product[] }
  | { readonly page: 'not-found'; readonly path: string };

export const PAGE_DATA_ID = 'page-data';

/** The embedded data if it describes `path` (it is read once, then removed). */
export function takePageData(path: string): PageData | null {
  const element = document.getElementById(PAGE_DATA_ID);
  if (element === null) {
    return null;
  }
  element.remove();
  try {
    const data = JSON.parse(element.textContent ?? 'null') as PageData | null;
    return data !== null && data.path === path ? data : null;
  } catch {
    return null;
  }
}
