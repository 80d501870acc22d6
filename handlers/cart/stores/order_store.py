"""Checkout: the cart becomes an order in PostgreSQL in one transaction that reserves stock.

No SKU can be oversold: each line's reservation is `UPDATE inventory SET on_hand = on_hand - q
WHERE sku = s AND on_hand >= q`, which takes the row lock, so racing checkouts queue on the row
and the loser sees the stock the winner left. Rows are locked in SKU order (no deadlocks).
A cart generation turns into at most one order (UNIQUE (cart_id, cart_generation)).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem, conflict, invalid, not_found
from handlers.cart.cart_operations import priced_lines
from handlers.cart.stores.cart_store import CartState, CartStore, Change
from handlers.cart.stores.catalog_store import Catalog
from handlers.cart.stores.database import Connections
from handlers.cart.tracing import tracer

ORDER_STATUS = "PENDING_PAYMENT"  # payment capture is out of scope


class _AlreadyOrdered(Exception):
    pass


def _order_document(row: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> dict[str, Any]:
    order_id, status, currency, total, created_at = row
    return {
        "order_id": str(order_id),
        "status": status,
        "currency": currency,
        "total_minor": int(total),
        "lines": [
            {
                "sku": sku,
                "name": name,
                "quantity": int(quantity),
                "unit_price_minor": int(unit),
                "line_total_minor": int(line_total),
            }
            for sku, name, quantity, unit, line_total in lines
        ],
        "created_at": created_at.isoformat() if isinstance(created_at, datetime) else created_at,
    }


def set_stock(conn: psycopg.Connection, sku: str, on_hand: int) -> None:
    """Set a SKU's stock (seeding, restocking)."""
    conn.execute(
        "INSERT INTO inventory (sku, on_hand) VALUES (%s, %s) "
        "ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()",
        (sku, on_hand),
    )


def stock(conn: psycopg.Connection, sku: str) -> int | None:
    row = conn.execute("SELECT on_hand FROM inventory WHERE sku = %s", (sku,)).fetchone()
    return None if row is None else int(row[0])


class Orders:
    def __init__(self, connections: Connections, store: CartStore, catalog: Catalog) -> None:
        self._connections = connections
        self._store = store
        self._catalog = catalog

    def get(self, owner: Owner, order_id: str) -> dict[str, Any]:
        try:
            key = uuid.UUID(order_id)
        except ValueError:
            raise not_found(f"no order {order_id!r} for this shopper") from None
        document = self._load(self._connections.get(), owner, key)
        if document is None:
            raise not_found(f"no order {order_id!r} for this shopper")
        return document

    def _load(
        self, conn: psycopg.Connection, owner: Owner, order_id: uuid.UUID
    ) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT order_id, status, currency, total_minor, created_at FROM orders "
            "WHERE order_id = %s AND owner_key = %s",
            (order_id, owner.cart_id),
        ).fetchone()
        if row is None:
            return None
        lines = conn.execute(
            "SELECT sku, name, quantity, unit_price_minor, line_total_minor FROM order_lines "
            "WHERE order_id = %s ORDER BY position",
            (order_id,),
        ).fetchall()
        return _order_document(row, lines)

    def _existing(
        self, conn: psycopg.Connection, owner: Owner, generation: int
    ) -> uuid.UUID | None:
        row = conn.execute(
            "SELECT order_id FROM orders WHERE cart_id = %s AND cart_generation = %s",
            (owner.cart_id, generation),
        ).fetchone()
        return None if row is None else row[0]

    @tracer.capture_method
    def checkout(self, owner: Owner) -> tuple[int, dict[str, Any]]:
        """(201, order) for a new order; (200, order) when this cart generation was ordered."""
        state = self._store.read(owner.cart_id)
        conn = self._connections.get()
        previous = self._existing(conn, owner, state.generation)
        if previous is not None:
            self._clear(owner, state)
            return 200, self._must_load(conn, owner, previous)
        if not state.lines:
            raise invalid("the cart is empty: add items before checking out")
        # Authoritative prices: the table itself, strongly consistent, not the cache.
        products = self._catalog.load_many([line.sku for line in state.lines], consistent=True)
        lines = priced_lines(state, products)
        unavailable = sorted({line.sku for line in state.lines} - {ln["sku"] for ln in lines})
        if unavailable:
            raise conflict(
                f"no longer for sale: {', '.join(unavailable)}; remove them and retry",
                skus=unavailable,
            )
        order_id = uuid.uuid4()
        try:
            with conn.transaction(), conn.cursor() as cur:
                for line in sorted(lines, key=lambda ln: ln["sku"]):
                    _reserve(cur, line["sku"], line["quantity"])
                cur.execute(
                    "INSERT INTO orders (order_id, owner_key, status, currency, total_minor, "
                    "cart_id, cart_generation) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (cart_id, cart_generation) DO NOTHING RETURNING order_id",
                    (
                        order_id,
                        owner.cart_id,
                        ORDER_STATUS,
                        state.currency,
                        sum(ln["line_total_minor"] for ln in lines),
                        owner.cart_id,
                        state.generation,
                    ),
                )
                if cur.fetchone() is None:
                    raise _AlreadyOrdered  # a concurrent checkout won: undo our reservations
                cur.executemany(
                    "INSERT INTO order_lines (order_id, position, sku, name, quantity, "
                    "unit_price_minor, line_total_minor) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            order_id,
                            position,
                            ln["sku"],
                            ln["name"],
                            ln["quantity"],
                            ln["unit_price_minor"],
                            ln["line_total_minor"],
                        )
                        for position, ln in enumerate(lines)
                    ],
                )
        except _AlreadyOrdered:
            winner = self._existing(conn, owner, state.generation)
            assert winner is not None  # the unique row exists: the insert just collided with it
            return 200, self._must_load(conn, owner, winner)
        self._clear(owner, state)
        return 201, self._must_load(conn, owner, order_id)

    def _must_load(
        self, conn: psycopg.Connection, owner: Owner, order_id: uuid.UUID
    ) -> dict[str, Any]:
        document = self._load(conn, owner, order_id)
        if document is None:
            raise Problem(500, "internal", "an order vanished while it was being read")
        return document

    def _clear(self, owner: Owner, ordered: CartState) -> None:
        """Start a new, empty cart generation, unless another request already did: one write
        conditioned on the version read at checkout (re-planned if the cart changed since)."""
        self._store.mutate(
            owner,
            lambda state: (
                Change(new_generation=True) if state.generation == ordered.generation else None
            ),
            start=ordered,
        )


def _reserve(cur: psycopg.Cursor[Any], sku: str, quantity: int) -> None:
    cur.execute(
        "UPDATE inventory SET on_hand = on_hand - %s, updated_at = now() "
        "WHERE sku = %s AND on_hand >= %s RETURNING on_hand",
        (quantity, sku, quantity),
    )
    if cur.fetchone() is not None:
        return
    cur.execute("SELECT on_hand FROM inventory WHERE sku = %s", (sku,))
    row = cur.fetchone()
    available = 0 if row is None else int(row[0])
    raise conflict(
        f"insufficient stock for SKU {sku!r}: {available} available, {quantity} requested",
        sku=sku,
        available=available,
    )
