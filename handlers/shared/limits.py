"""Service limits the edge enforces as well as the service: the WAF refuses what the handler
would refuse anyway, before it costs an invocation."""

from __future__ import annotations

from typing import Final

# Cart request bodies are tiny ({"sku", "quantity"}); anything bigger is rejected before parsing.
CART_MAX_BODY_BYTES: Final = 4096
# Admin product bodies carry a description of up to 5,000 characters besides the other fields;
# 16 KiB is CloudFront WAF's default body inspection size, so the edge can hold /api/admin/ to
# it (5,000 characters of up to 3 bytes in UTF-8 fit; 5,000 emoji do not).
ADMIN_MAX_BODY_BYTES: Final = 16 * 1024
ADMIN_PATH_PREFIX: Final = "/api/admin/"
ACCOUNT_PATH_PREFIX: Final = "/api/account/"

MIB: Final = 1024 * 1024
# The largest model the asset service accepts (handlers/asset/config.py AssetLimits), and so
# the largest upload the product API signs.
MODEL_MAX_BYTES: Final = 1024 * MIB
# Model file types the asset pipeline reads (handlers/asset/pipeline.py SUPPORTED_SUFFIXES).
MODEL_SUFFIXES: Final = ("glb", "gltf", "obj", "stl", "ply")

# GET /api/products: pages of the active products, newest first (the by-status indexes), this
# many by default and at most PRODUCT_PAGE_MAX (`limit`); `cursor` goes on, with no end cap.
PRODUCT_PAGE_DEFAULT: Final = 24
PRODUCT_PAGE_MAX: Final = 100
# A listing's cursor (handlers/shared/cursors.py): its key and tag fit in far less.
LIST_CURSOR_MAX_CHARS: Final = 512
CATALOG_CACHE_TTL_SECONDS: Final = 60
# The shop's managed category list holds at most this many (the product API's list; the page
# renderer's sitemap leaves room for a page each).
MAX_CATEGORIES: Final = 20
