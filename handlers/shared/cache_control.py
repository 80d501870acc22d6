"""Cache-Control values shared by every server of the same files (the S3 objects CloudFront
serves, the web tier's nginx, the local platform)."""

from __future__ import annotations

from typing import Final

# Content-hashed names never change content: a year at the edge and in the browser.
IMMUTABLE: Final = "public, max-age=31536000, immutable"
# Names that point at hashed ones (index.html above all): revalidated on every load.
REVALIDATE: Final = "no-cache"
