"""S3 key layout shared by the buckets' lifecycle rules and the asset service."""

from __future__ import annotations

from typing import Final

# Sellers upload raw models under uploads/<seller>/<sku>/<file name>.
UPLOADS_PREFIX: Final = "uploads/"
# Published, content-hashed assets: assets/<sku>/<content hash>/<lod>.glb and manifest.json.
ASSETS_PREFIX: Final = "assets/"
MANIFEST_NAME: Final = "manifest.json"
# Rejected uploads are moved here with the reason.
QUARANTINE_PREFIX: Final = "quarantine/"
# Assets of discontinued products: archived to Glacier Deep Archive by lifecycle.
DISCONTINUED_PREFIX: Final = "discontinued/"

# Lifecycle facts (days) used by GlobalData and documented in docs/architecture.md.
RAW_UPLOAD_EXPIRY_DAYS: Final = 30
ABORT_MULTIPART_DAYS: Final = 7
NONCURRENT_TO_GLACIER_DAYS: Final = 30
NONCURRENT_EXPIRY_DAYS: Final = 365

# The storefront's built static files, served by each cell's web tier (synced from the
# primary region's assets bucket at boot and every few minutes).
STOREFRONT_PREFIX: Final = "storefront/"

# The page renderer (handlers/ and its pinned requirements) the web tier runs, synced at boot.
WEB_RENDERER_PREFIX: Final = "web-renderer/"

# Lambda code and dependency layers in each region's assets bucket (only assets/ replicates and
# only assets/ is readable by CloudFront, so these stay private and regional): the program
# uploads each zip under LAMBDA_UNSIGNED_PREFIX, AWS Signer writes the signed copy under
# LAMBDA_SIGNED_PREFIX, and functions and layers deploy from the signed copy.
LAMBDA_UNSIGNED_PREFIX: Final = "lambda-code/unsigned/"
LAMBDA_SIGNED_PREFIX: Final = "lambda-code/signed/"
