"""HTTP paths that the edge (CloudFront behaviors, WAF rules) and the cart service both name."""

from __future__ import annotations

from typing import Final

# Stripe's webhook deliveries: they change orders, so they go to the Aurora writer's cell;
# their bodies are larger than the cart's own (exempt from the WAF body rule), never cached.
WEBHOOK_PATH: Final = "/api/payments/webhook"

# The edge's first-LOD choice (components/edge/first_lod.js sets it, handlers.pages reads it;
# part of the page cache key).
FIRST_LOD_HEADER: Final = "x-shop3d-first-lod"

# The distribution's default root object: CloudFront asks the origin for /index.html when a
# viewer asks for /. The storefront bucket holds the shell under that key; the page renderer
# (web tier) answers it with the product grid, as it answers /.
INDEX_DOCUMENT: Final = "index.html"
