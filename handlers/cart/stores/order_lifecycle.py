"""The order lifecycle: the only transitions an order may make, each one statement guarded by the
state it leaves, recorded in `order_events` and written to the `outbox` in the caller's
transaction (so an event exists exactly when its change committed).

    PENDING_PAYMENT -> PAID -> FULFILLED
    PENDING_PAYMENT -> EXPIRED    (reservation timed out: stock returned)
    PENDING_PAYMENT -> CANCELLED  (by the shopper: stock returned)
    PAID            -> REFUNDED   (full refund: stock returned)

A transition whose guard fails (the order already left that state, e.g. expired while its
payment succeeded) changes nothing and returns None: the caller decides what that means.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import psycopg


class OrderState(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAID = "PAID"
    FULFILLED = "FULFILLED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


class PaymentStatus(StrEnum):
    NONE = "none"  # no PaymentIntent yet
    REQUIRES_PAYMENT = "requires_payment"
    FAILED = "failed"  # the last attempt failed; the order stays payable until it expires
    SUCCEEDED = "succeeded"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUND_PENDING = "refund_pending"  # a payment for an order that had expired: sent back


# Each target state and the one state it may be entered from.
TRANSITIONS: Final[dict[OrderState, OrderState]] = {
    OrderState.PAID: OrderState.PENDING_PAYMENT,
    OrderState.FULFILLED: OrderState.PAID,
    OrderState.EXPIRED: OrderState.PENDING_PAYMENT,
    OrderState.CANCELLED: OrderState.PENDING_PAYMENT,
    OrderState.REFUNDED: OrderState.PAID,
}
# Entering these gives the order's reserved stock back.
RETURNS_STOCK: Final = frozenset({OrderState.EXPIRED, OrderState.CANCELLED, OrderState.REFUNDED})
# The outbox event type of each transition (EventBridge detail-type).
EVENT_TYPES: Final[dict[OrderState, str]] = {
    OrderState.PENDING_PAYMENT: "OrderPlaced",
    OrderState.PAID: "OrderPaid",
    OrderState.FULFILLED: "OrderFulfilled",
    OrderState.EXPIRED: "OrderExpired",
    OrderState.CANCELLED: "OrderCancelled",
    OrderState.REFUNDED: "OrderRefunded",
}


@dataclass(frozen=True)
class Transitioned:
    order_id: uuid.UUID
    from_state: OrderState
    to_state: OrderState


def record_event(
    cur: psycopg.Cursor[Any],
    order_id: uuid.UUID,
    from_state: OrderState | None,
    to_state: OrderState,
    actor: str,
    reason: str,
    event_type: str | None = None,
) -> None:
    """One history row and one outbox row (with the order's e-mail for notifications);
    `event_type` names an event that is not a transition (a failed or refunded payment)."""
    cur.execute(
        "INSERT INTO order_events (order_id, from_status, to_status, actor, reason) "
        "VALUES (%s, %s, %s, %s, %s)",
        (order_id, from_state, to_state, actor, reason[:500]),
    )
    cur.execute(
        "INSERT INTO outbox (order_id, event_type, detail) "
        "SELECT order_id, %s, jsonb_build_object('order_id', order_id, 'state', status, "
        "'email', email, 'currency', currency, 'total_minor', total_minor, 'reason', %s::text) "
        "FROM orders WHERE order_id = %s",
        (event_type or EVENT_TYPES[to_state], reason[:500], order_id),
    )


def transition(
    cur: psycopg.Cursor[Any],
    order_id: uuid.UUID,
    to_state: OrderState,
    *,
    actor: str,
    reason: str,
    payment_status: PaymentStatus | None = None,
) -> Transitioned | None:
    """Move the order to `to_state` if it is in the one state that may lead there; None when
    it is not (nothing written). Stock comes back in the same transaction where the target
    state says so."""
    from_state = TRANSITIONS[to_state]
    row = cur.execute(
        "UPDATE orders SET status = %s, payment_status = COALESCE(%s, payment_status), "
        "updated_at = now() WHERE order_id = %s AND status = %s RETURNING order_id",
        (to_state, payment_status, order_id, from_state),
    ).fetchone()
    if row is None:
        return None
    if to_state in RETURNS_STOCK:
        return_stock(cur, order_id)
    record_event(cur, order_id, from_state, to_state, actor, reason)
    return Transitioned(order_id, from_state, to_state)


def return_stock(cur: psycopg.Cursor[Any], order_id: uuid.UUID) -> None:
    """Give the order's reserved quantities back, rows locked in SKU order (as checkout does:
    no deadlock between a checkout and an expiry)."""
    cur.execute(
        "UPDATE inventory SET on_hand = inventory.on_hand + lines.quantity, updated_at = now() "
        "FROM (SELECT sku, quantity FROM order_lines WHERE order_id = %s ORDER BY sku) AS lines "
        "WHERE inventory.sku = lines.sku",
        (order_id,),
    )


def set_payment_status(
    cur: psycopg.Cursor[Any], order_id: uuid.UUID, status: PaymentStatus
) -> None:
    cur.execute(
        "UPDATE orders SET payment_status = %s, updated_at = now() WHERE order_id = %s",
        (status, order_id),
    )


def lock_order(cur: psycopg.Cursor[Any], order_id: uuid.UUID) -> OrderState | None:
    """The order's state, its row locked until the transaction ends; None if there is none."""
    row = cur.execute(
        "SELECT status FROM orders WHERE order_id = %s FOR UPDATE", (order_id,)
    ).fetchone()
    return None if row is None else OrderState(row[0])


def history(conn: psycopg.Connection, order_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT from_status, to_status, actor, reason, at FROM order_events "
        "WHERE order_id = %s ORDER BY event_id",
        (order_id,),
    ).fetchall()
    return [
        {"from": f, "to": t, "actor": actor, "reason": reason, "at": at.isoformat()}
        for f, t, actor, reason, at in rows
    ]


def note_payment(
    cur: psycopg.Cursor[Any],
    order_id: uuid.UUID,
    state: OrderState,
    status: PaymentStatus,
    actor: str,
    reason: str,
    event_type: str,
) -> None:
    """A payment fact that moves no state (failed, refunded after expiry, partly refunded):
    the payment status, a history row (state to itself) and its outbox event."""
    set_payment_status(cur, order_id, status)
    record_event(cur, order_id, state, state, actor, reason, event_type)
