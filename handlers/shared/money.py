"""Prices from integer minor units, in the currency's own number of decimals (ISO 4217), and as
shoppers read them: the shop's one convention, Intl.NumberFormat's currency style in the shop's
locale ("€34.50"), which the storefront's formatMoney (storefront/src/ui/money.ts) also writes.
The storefront keeps what the server rendered, so the two must agree: both are held to the
cases of tests/fixtures/formats.json."""

from __future__ import annotations

from typing import Final

# The shop's locale: what the storefront passes to Intl.NumberFormat (SHOP_LOCALE in money.ts).
SHOP_LOCALE: Final = "en"
# The shop's currency: the one the search's price bands are in (SEARCH_PRICE_BANDS_MINOR), named
# by the storefront when no result carries one (SHOP_CURRENCY in money.ts).
SHOP_CURRENCY: Final = "EUR"

# ISO 4217 currencies whose minor unit is not 1/100 (the rest have two decimals). Stripe's
# amounts and ours are in these units; CLDR's display digits differ for some (HUF, IDR).
_DECIMALS: Final = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}

# CLDR's currency symbols for "en" where they are not the code (Intl.NumberFormat("en",
# {style: "currency"}), ICU 78): the symbol then the amount; every other currency is written
# as its code, a no-break space, the amount ("CHF 34.50").
_SYMBOLS: Final = {
    "AUD": "A$",
    "BRL": "R$",
    "CAD": "CA$",
    "CNY": "CN¥",
    "EUR": "€",
    "GBP": "£",
    "HKD": "HK$",
    "ILS": "₪",
    "INR": "₹",
    "JPY": "¥",
    "KRW": "₩",
    "MXN": "MX$",
    "NZD": "NZ$",
    "PHP": "₱",
    "TWD": "NT$",
    "USD": "$",
    "VND": "₫",
    "XAF": "FCFA\u00a0",
    "XCD": "EC$",
    "XCG": "Cg.\u00a0",
    "XOF": "F\u202fCFA\u00a0",
    "XPF": "CFPF\u00a0",
}


def minor_digits(currency: str) -> int:
    return _DECIMALS.get(currency, 2)


def decimal_price(minor: int, currency: str) -> str:
    """schema.org's price: a plain decimal with a dot ("49.99", "500" for JPY)."""
    digits = minor_digits(currency)
    if digits == 0:
        return str(minor)
    whole, fraction = divmod(minor, 10**digits)
    return f"{whole}.{fraction:0{digits}d}"


def shown_price(minor: int, currency: str) -> str:
    """The price as shoppers read it: "€1,234.50", "¥500", "CHF 12.00" (SHOP_LOCALE's way)."""
    digits = minor_digits(currency)
    whole, fraction = divmod(minor, 10**digits)
    amount = f"{whole:,}" + (f".{fraction:0{digits}d}" if digits else "")
    return _SYMBOLS.get(currency, currency + "\u00a0") + amount
