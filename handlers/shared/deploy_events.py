"""Requests a deploy sends straight to a service's Lambda (not HTTP, not S3): shared by the
component that sends them and the handler that answers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

# The cart Lambda applies its PostgreSQL schema when invoked with {APPLY_SCHEMA_EVENT_KEY: ...}:
# the primary cell invokes it on every deploy where schema.sql changed.
APPLY_SCHEMA_EVENT_KEY: Final = "shop3d-apply-schema"
CART_SCHEMA_FILE: Final = Path(__file__).resolve().parent.parent / "cart" / "schema.sql"


def cart_schema_sha256() -> str:
    return hashlib.sha256(CART_SCHEMA_FILE.read_bytes()).hexdigest()
