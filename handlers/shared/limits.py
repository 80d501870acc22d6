"""Service limits the edge enforces as well as the service: the WAF refuses what the handler
would refuse anyway, before it costs an invocation."""

from __future__ import annotations

from typing import Final

# Cart request bodies are tiny ({"sku", "quantity"}); anything bigger is rejected before parsing.
CART_MAX_BODY_BYTES: Final = 4096

# GET /api/products returns at most this many active products (one page).
PRODUCT_LIST_LIMIT: Final = 200
CATALOG_CACHE_TTL_SECONDS: Final = 60
