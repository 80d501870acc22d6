import type { CartLine, Product, ProductVariant } from '../api/types';
import { h } from '../ui/dom';
import { formatMoney } from '../ui/money';

/** A variant's line SKU is `<product SKU>~<variant key>` (handlers/shared/variants.py). */
const SEPARATOR = '~';

/** The product a cart or order line belongs to (its page). */
export function productSkuOf(lineSku: string): string {
  return lineSku.split(SEPARATOR, 1)[0] ?? lineSku;
}

/** How a line names what it buys: the product, and the variant chosen. */
export function lineLabel(line: Pick<CartLine, 'name' | 'variant'>): string {
  return line.variant ? `${line.name} (${line.variant.name})` : line.name;
}

function optionLabel(variant: ProductVariant, currency: string): string {
  const soldOut = variant.availability === 'sold_out' ? ' (sold out)' : '';
  return `${variant.name}, ${formatMoney(variant.price_minor, currency)}${soldOut}`;
}

/**
 * The product page's variant picker: the variants the product is sold in, each with its price
 * and availability; the first one in stock is chosen to start with. `onChange` gets the chosen
 * variant at once and on every change. Null for a product without variants.
 */
export function variantChoice(product: Product, onChange: (variant: ProductVariant) => void): HTMLElement | null {
  const variants = product.variants ?? [];
  if (variants.length === 0) {
    return null;
  }
  const select = h('select', { testid: 'variant-choice', 'aria-label': 'Colour or material' });
  variants.forEach((variant, i) => select.append(h('option', { value: String(i) }, optionLabel(variant, product.currency))));
  const first = Math.max(0, variants.findIndex((v) => v.availability !== 'sold_out'));
  select.value = String(first);
  select.addEventListener('change', () => {
    const chosen = variants[Number(select.value)];
    if (chosen !== undefined) {
      onChange(chosen);
    }
  });
  onChange(variants[first] as ProductVariant);
  return h('label', { class: 'variant-choice' }, 'Colour or material ', select);
}
