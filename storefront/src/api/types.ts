/** Shapes of the cart HTTP API (see the contract in docs/cart-service.md). Amounts are integer minor units. */

export type AssetStatus = 'PENDING' | 'READY' | 'REJECTED';

/** A colour or material a product is sold in: bought under its own line SKU (`<sku>~<key>`). */
export interface ProductVariant {
  readonly key: string;
  /** The model's KHR_materials_variants name the viewer shows for it. */
  readonly name: string;
  readonly sku: string;
  readonly price_minor: number;
  /** Absent in a server-rendered page's data (the page states stock itself). */
  readonly availability?: string | null;
}

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly price_minor: number;
  readonly currency: string;
  readonly asset: { readonly status: AssetStatus; readonly manifest_url: string | null };
  /** Empty (or absent from an older API): one look, bought under `sku`. */
  readonly variants?: readonly ProductVariant[];
}

export interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly variant?: { readonly key: string; readonly name: string } | null;
  readonly quantity: number;
  readonly unit_price_minor: number;
  readonly line_total_minor: number;
}

export interface Cart {
  readonly cart_id: string;
  readonly version: number;
  readonly currency: string;
  readonly total_minor: number;
  readonly lines: readonly CartLine[];
}

export interface Order {
  readonly order_id: string;
  readonly status: string;
  readonly currency: string;
  readonly total_minor: number;
  readonly lines: readonly CartLine[];
  readonly created_at: string;
  /** Checkout's answer: the PaymentIntent to confirm on the payment step (null: nothing to pay). */
  readonly payment?: { readonly intent_id: string } | null;
  readonly payment_status?: string;
}

/** RFC 9457 problem details. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}
