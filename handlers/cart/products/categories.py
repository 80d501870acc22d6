"""The shop's managed category list: a product's category is one of these (at most
MAX_CATEGORIES; changing the list is a code change, reviewed like one)."""

from __future__ import annotations

from typing import Final

CATEGORIES: Final[tuple[str, ...]] = (
    "furniture",
    "lighting",
    "decor",
    "kitchen",
    "gadgets",
    "audio",
    "fashion",
    "footwear",
    "sports",
    "toys",
)
