"""Requests a deploy sends straight to a service's Lambda (not HTTP, not S3), and the database
role that request sets up: shared by the component that sends them and the handler that
answers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

# The cart-schema Lambda applies the cart's PostgreSQL schema and grants when invoked with
# {APPLY_SCHEMA_EVENT_KEY: ...}: the primary cell invokes it on every deploy where they changed.
APPLY_SCHEMA_EVENT_KEY: Final = "shop3d-apply-schema"
CART_SCHEMA_HANDLER: Final = "handlers.cart.schema_lambda.lambda_handler"
_CART_DIR: Final = Path(__file__).resolve().parent.parent / "cart" / "stores"
CART_SCHEMA_FILE: Final = _CART_DIR / "schema.sql"
CART_GRANTS_FILE: Final = _CART_DIR / "grants.sql"
# The login role the schema step creates for the cart service (checkout and order reads only).
# The cart connects as it; in AWS its IAM policy names it in rds-db:connect.
CART_DATABASE_ROLE: Final = "shop3d_cart"
# The login role of the search projection (the catalog stream's consumer in the primary region):
# it alone writes the search rows; in AWS its IAM policy names it in rds-db:connect.
SEARCH_PROJECTION_ROLE: Final = "shop3d_search_projection"


def cart_schema_sha256() -> str:
    """One digest of what the schema step applies: a change to either file re-runs it."""
    digest = hashlib.sha256(f"{CART_DATABASE_ROLE} {SEARCH_PROJECTION_ROLE}".encode())
    for path in (CART_SCHEMA_FILE, CART_GRANTS_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()
