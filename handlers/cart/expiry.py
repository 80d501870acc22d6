"""Reservation expiry: orders unpaid past their deadline become EXPIRED and give their stock back.

One transaction per batch: the due orders are selected `FOR UPDATE SKIP LOCKED`, so two runs
at the same moment (a schedule overlapping a slow run, or the local timer beside a test) take
disjoint batches, and an order whose webhook holds its row right now is skipped and seen by
the next run, after the webhook decided. Each expired order's transition, stock return,
history row and outbox row commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import psycopg

from handlers.cart.stores.order_lifecycle import OrderState, transition

BATCH_SIZE: Final = 100
# A run stops after this many batches (one Lambda invocation stays well under its timeout);
# what is left is due at the next run.
MAX_BATCHES: Final = 50
ACTOR: Final = "reservation-expiry"


@dataclass(frozen=True)
class ExpiryRun:
    expired: int
    batches: int


def expire_batch(
    conn: psycopg.Connection, now: datetime | None = None, limit: int = BATCH_SIZE
) -> int:
    """Expire up to `limit` due orders in one transaction; the number expired."""
    with conn.transaction(), conn.cursor() as cur:
        due = cur.execute(
            "SELECT order_id, expires_at FROM orders WHERE status = %s "
            "AND expires_at <= COALESCE(%s, now()) ORDER BY expires_at LIMIT %s "
            "FOR UPDATE SKIP LOCKED",
            (OrderState.PENDING_PAYMENT, now, limit),
        ).fetchall()
        for order_id, expires_at in due:
            transition(
                cur,
                order_id,
                OrderState.EXPIRED,
                actor=ACTOR,
                reason=f"unpaid at the reservation deadline {expires_at.isoformat()}",
            )
        return len(due)


def expire_due(
    conn: psycopg.Connection, now: datetime | None = None, limit: int = BATCH_SIZE
) -> ExpiryRun:
    """Batches until one comes back short (nothing more is due, or the rest is locked)."""
    expired = batches = 0
    while batches < MAX_BATCHES:
        count = expire_batch(conn, now, limit)
        batches += 1
        expired += count
        if count < limit:
            break
    return ExpiryRun(expired, batches)
