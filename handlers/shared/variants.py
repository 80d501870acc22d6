"""Product variants (colours, materials): what the catalog item, the cart line and the order
line agree on.

A variant is sold under its own line SKU, `<product SKU>~<variant key>` (`CHAIR-1~leather`):
the cart stores it as any SKU, the inventory has one row per line SKU (stock per variant), and
checkout reserves and prices it as one. `~` is outside the product SKU alphabet, so a line SKU
splits one way only, and it is unreserved in URLs (RFC 3986 section 2.3): the cart's path routes
take it without escaping. A variant's `name` is the name of the model's KHR_materials_variants
variant it shows, so the viewer switches the model's look to it (docs/asset-service.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

SEPARATOR: Final = "~"
VARIANT_KEY_MAX_LENGTH: Final = 24
VARIANT_KEY_PATTERN: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # a URL slug
VARIANT_NAME_MAX_LENGTH: Final = 64
# Per product: a picker longer than this is a catalogue of its own (and every variant is one
# more inventory row written with each edit).
MAX_VARIANTS: Final = 16
_KEY = re.compile(VARIANT_KEY_PATTERN)


@dataclass(frozen=True)
class Variant:
    key: str
    name: str
    price_minor: int  # the product's price unless the seller set one for this variant


def line_sku(sku: str, key: str) -> str:
    return f"{sku}{SEPARATOR}{key}"


def split_line_sku(line: str) -> tuple[str, str | None]:
    """(product SKU, variant key or None) of a line SKU."""
    sku, separator, key = line.partition(SEPARATOR)
    return sku, (key if separator else None)


def valid_key(key: object) -> bool:
    return isinstance(key, str) and len(key) <= VARIANT_KEY_MAX_LENGTH and bool(_KEY.match(key))
