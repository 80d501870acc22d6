"""Stock as the product API writes it: the inventory row, ordered by the catalog version.

A write carries the catalog item's version and lands only if it is newer than the row's, so a
retried request (same version) changes nothing and a slow older write cannot overwrite a newer
one. Checkout keeps reserving from on_hand in its own transaction (order_store)."""

from __future__ import annotations

import psycopg


def write_stock(conn: psycopg.Connection, sku: str, on_hand: int, catalog_version: int) -> bool:
    """Set `sku`'s stock to `on_hand` as of `catalog_version`; False if a newer one is there."""
    row = conn.execute(
        "SELECT set_product_stock(%s, %s, %s)", (sku, on_hand, catalog_version)
    ).fetchone()
    return bool(row and row[0])


def read_stock(conn: psycopg.Connection, sku: str) -> int | None:
    row = conn.execute("SELECT on_hand FROM inventory WHERE sku = %s", (sku,)).fetchone()
    return None if row is None else int(row[0])
