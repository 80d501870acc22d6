import type { ApiClient } from '../api/client';
import type { Cart } from '../api/types';

/** What every page gets: the API client and a way to update the header's cart badge. */
export interface AppContext {
  readonly api: ApiClient;
  readonly cartChanged: (cart: Cart) => void;
}

/** Renders into `outlet`; `signal` aborts when the user navigates away. */
export type Page = (ctx: AppContext, outlet: HTMLElement, signal: AbortSignal) => Promise<void>;

export function itemCount(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.quantity, 0);
}
