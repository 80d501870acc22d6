"""The product API's named limits: one place, read by validation and storage, listed in
docs/sellers.md."""

from __future__ import annotations

from typing import Final

from handlers.shared.limits import ADMIN_MAX_BODY_BYTES, MIB, MODEL_MAX_BYTES, MODEL_SUFFIXES
from handlers.shared.limits import MAX_CATEGORIES as MAX_CATEGORIES

NAME_MAX_LENGTH: Final = 200
DESCRIPTION_MAX_LENGTH: Final = 5000
# The managed category list may hold at most MAX_CATEGORIES (categories.py; a test holds it to
# it), defined with the shared limits because the page renderer's sitemap counts on it too.
CATEGORY_MAX_LENGTH: Final = 40
# 10 million minor units: EUR 100,000.00; a higher price is a typo, not a product.
PRICE_MAX_MINOR: Final = 10_000_000
STOCK_MAX: Final = 1_000_000
# Physical size, millimetres per side: 1 mm to 100 m.
DIMENSION_MIN_MM: Final = 1
DIMENSION_MAX_MM: Final = 100_000
# Product list pages.
LIST_DEFAULT_LIMIT: Final = 25
LIST_MAX_LIMIT: Final = 100
# Admin request bodies (the WAF holds /api/admin/ to the same size).
MAX_BODY_BYTES: Final = ADMIN_MAX_BODY_BYTES

# Model uploads: S3 multipart, presigned part URLs. S3 allows parts of 5 MiB to 5 GiB and
# 10,000 parts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html); ours are
# 16-64 MiB, so a 1 GiB model is at most 64 parts and a dropped part costs at most 64 MiB again.
UPLOAD_MAX_BYTES: Final = MODEL_MAX_BYTES
UPLOAD_SUFFIXES: Final = MODEL_SUFFIXES
PART_MIN_BYTES: Final = 16 * MIB
PART_MAX_BYTES: Final = 64 * MIB
PART_DEFAULT_BYTES: Final = PART_MIN_BYTES
FILE_NAME_MAX_LENGTH: Final = 128
FILE_NAME_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# Presigned part URLs are good for this long; resuming later signs them again.
PART_URL_TTL_SECONDS: Final = 3600
