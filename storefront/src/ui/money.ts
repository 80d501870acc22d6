/**
 * Prices as shoppers read them, the shop's one convention (the server's shown_price in
 * handlers/shared/money.py writes the same: tests/fixtures/formats.json holds both to it), since
 * the storefront keeps the text of server-rendered pages it takes over.
 */

/** The shop's locale (SHOP_LOCALE in handlers/shared/money.py). */
export const SHOP_LOCALE = 'en';
/** The shop's currency, that of the search's price bands (SHOP_CURRENCY in handlers/shared/money.py). */
export const SHOP_CURRENCY = 'EUR';

// ISO 4217 minor units that are not 1/100 (handlers/shared/money.py _DECIMALS). Amounts are in
// these units (as Stripe's); Intl's own digits are CLDR's display digits, which differ (HUF, IDR).
const ISO_DIGITS: Readonly<Record<string, number>> = {
  ...Object.fromEntries('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((c) => [c, 0])),
  ...Object.fromEntries('BHD IQD JOD KWD LYD OMR TND'.split(' ').map((c) => [c, 3])),
};

/** Formats integer minor units (cents) in the currency's own number of decimals (JPY 0, EUR 2, KWD 3). */
export function formatMoney(minor: number, currency: string, locale: string = SHOP_LOCALE): string {
  if (!Number.isInteger(minor)) {
    throw new RangeError(`amount must be an integer number of minor units, got ${minor}`);
  }
  const digits = ISO_DIGITS[currency] ?? 2;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return format.format(minor / 10 ** digits);
}
