"""The cart service's named limits: one place, read by validation and storage, listed in
docs/cart-service.md."""

from __future__ import annotations

from typing import Final

from handlers.shared.limits import CART_MAX_BODY_BYTES
from handlers.shared.variants import VARIANT_KEY_MAX_LENGTH

MIN_QUANTITY: Final = 1
MAX_QUANTITY: Final = 99  # per line
MAX_LINES: Final = 100  # per cart
GUEST_CART_TTL_DAYS: Final = 7
USER_CART_TTL_DAYS: Final = 90
# Request bodies are tiny; the WAF refuses bigger ones too (handlers/shared/limits.py).
MAX_BODY_BYTES: Final = CART_MAX_BODY_BYTES
SKU_MAX_LENGTH: Final = 64
SKU_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# A cart line's SKU: a product's, or a variant's `<sku>~<variant key>` (handlers/shared/variants.py).
LINE_SKU_MAX_LENGTH: Final = SKU_MAX_LENGTH + 1 + VARIANT_KEY_MAX_LENGTH
LINE_SKU_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:~[a-z0-9]+(?:-[a-z0-9]+)*)?$"
IDEMPOTENCY_KEY_MAX_LENGTH: Final = 128
# A response is replayed for this long after the first request with the same Idempotency-Key.
IDEMPOTENCY_TTL_SECONDS: Final = 24 * 3600
# Retries of one cart write (a lost version race in merge/checkout, an expired cart replaced)
# before answering 409.
WRITE_ATTEMPTS: Final = 12
# Stripe's events are larger than the cart's bodies (a PaymentIntent with its charge is a few
# KB; a charge with many refunds more): the webhook reads up to this, exempt from MAX_BODY_BYTES.
MAX_WEBHOOK_BODY_BYTES: Final = 256 * 1024
# A Stripe.js card token: "tok_" and letters/digits; Stripe's object ids are at most 255
# characters (https://docs.stripe.com/upgrades#what-changes-does-stripe-consider-to-be-backward-compatible).
CARD_TOKEN_PATTERN: Final = r"^tok_[A-Za-z0-9]+$"  # noqa: S105  # a pattern, not a secret
CARD_TOKEN_MAX_LENGTH: Final = 255
EMAIL_MAX_LENGTH: Final = 254  # RFC 5321's path limit
# One address, no spaces or angle brackets: enough to refuse garbage, not a full RFC 5322 parse.
EMAIL_PATTERN: Final = r"^[^@\s<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"

# Search (GET /api/search; docs/search.md).
SEARCH_QUERY_MAX_CHARS: Final = 200
SEARCH_QUERY_MAX_WORDS: Final = 8
SEARCH_PAGE_DEFAULT: Final = 20
SEARCH_PAGE_MAX: Final = 50
SEARCH_PRICE_MAX_MINOR: Final = 10**12
SEARCH_CURSOR_MAX_CHARS: Final = 512
# A name matches a query with a typo when pg_trgm's word_similarity reaches its default
# threshold, 0.6 (pg_trgm.word_similarity_threshold; "helmt" against "helmet" scores 0.67).
# Price bands of the facet, in minor units of the shop's currency (handlers/shared/money.py
# SHOP_CURRENCY): [0, 25.00), [25.00, 50.00), ... [500.00, inf).
SEARCH_PRICE_BANDS_MINOR: Final = (2500, 5000, 10000, 25000, 50000)
# Facets count at most this many matches (the response says whether they are exact).
SEARCH_FACET_MATCH_LIMIT: Final = 2000

# Catalog reads are shared with the page renderer: defined in handlers.shared.limits.
from handlers.shared.limits import CATALOG_CACHE_TTL_SECONDS as CATALOG_CACHE_TTL_SECONDS  # noqa: E402
from handlers.shared.limits import PRODUCT_PAGE_DEFAULT as PRODUCT_PAGE_DEFAULT  # noqa: E402
from handlers.shared.limits import PRODUCT_PAGE_MAX as PRODUCT_PAGE_MAX  # noqa: E402
