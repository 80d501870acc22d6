"""Prices from integer minor units, in the currency's own number of decimals (ISO 4217)."""

from __future__ import annotations

from typing import Final

# ISO 4217 currencies whose minor unit is not 1/100 (the rest have two decimals).
_DECIMALS: Final = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def decimal_price(minor: int, currency: str) -> str:
    """schema.org's price: a plain decimal with a dot ("49.99", "500" for JPY)."""
    digits = _DECIMALS.get(currency, 2)
    if digits == 0:
        return str(minor)
    whole, fraction = divmod(minor, 10**digits)
    return f"{whole}.{fraction:0{digits}d}"


def shown_price(minor: int, currency: str) -> str:
    return f"{decimal_price(minor, currency)} {currency}"
