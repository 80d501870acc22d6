/** Formats integer minor units (cents) in the currency's own number of decimals (JPY 0, EUR 2, KWD 3). */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  if (!Number.isInteger(minor)) {
    throw new RangeError(`amount must be an integer number of minor units, got ${minor}`);
  }
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
