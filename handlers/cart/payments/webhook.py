"""Stripe's webhook: a verified event changes its order exactly once.

The event id is inserted into `stripe_events` in the same transaction as the order change, so
a redelivered event (Stripe retries for up to three days, and may deliver one event more than
once at the same moment) finds the row and changes nothing; concurrent deliveries queue on
the primary key until the first commits. Unknown types are recorded and acknowledged.

Outcomes by type (the order row locked first, so an expiry running at the same moment either
ran before, and this sees EXPIRED, or waits for this):
- payment_intent.succeeded: PENDING_PAYMENT -> PAID. On an EXPIRED or CANCELLED order the
  payment is refunded instead (inside the transaction, with an idempotency key: if the commit
  fails, Stripe's retry asks for the same refund again and gets the same one).
- payment_intent.payment_failed: stays PENDING_PAYMENT (payable until it expires).
- charge.refunded: a full refund of a PAID order -> REFUNDED (stock back); partial: recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import psycopg
import stripe

from handlers.cart.api.problems import Problem, bad_request
from handlers.cart.payments.stripe_gateway import StripeAccount
from handlers.cart.stores.database import Connections
from handlers.cart.stores.order_lifecycle import (
    OrderState,
    PaymentStatus,
    note_payment,
    set_payment_status,
    transition,
)

# Stripe's default, and what the SDK's construct_event checks the signed timestamp against.
SIGNATURE_TOLERANCE_S: Final = 300
ACTOR: Final = "stripe"


@dataclass(frozen=True)
class Outcome:
    event_id: str
    applied: bool  # False: a redelivery, changed nothing
    result: str

    def body(self) -> dict[str, Any]:
        return {"received": True, "event_id": self.event_id, "result": self.result}


Apply = Callable[[psycopg.Cursor[Any], str, dict[str, Any]], str]


class WebhookProcessor:
    def __init__(self, connections: Connections, account: StripeAccount) -> None:
        self._connections = connections
        self._account = account
        self._handlers: dict[str, Apply] = {
            "payment_intent.succeeded": self._succeeded,
            "payment_intent.payment_failed": self._failed,
            "charge.refunded": self._refunded,
        }

    def receive(self, payload: bytes, signature: str | None) -> Outcome:
        try:
            event = self._account.verify(payload, signature, SIGNATURE_TOLERANCE_S)
        except stripe.SignatureVerificationError as error:
            raise Problem(
                400,
                "bad-signature",
                f"Stripe-Signature does not verify ({error.user_message or error}); events"
                f" must be signed with the endpoint's secret within {SIGNATURE_TOLERANCE_S} s",
            ) from None
        except ValueError:
            raise bad_request("the webhook body is not a JSON Stripe event") from None
        data = event.to_dict().get("data", {}).get("object", {})
        return self.apply(str(event.id), str(event.type), data)

    def apply(self, event_id: str, event_type: str, obj: dict[str, Any]) -> Outcome:
        """Apply one verified event at most once (the seam the tests drive for event types the
        local Stripe server does not send)."""
        conn = self._connections.get()
        handler = self._handlers.get(event_type)
        with conn.transaction(), conn.cursor() as cur:
            first = cur.execute(
                "INSERT INTO stripe_events (event_id, event_type) VALUES (%s, %s) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                (event_id, event_type),
            ).fetchone()
            if first is None:
                return Outcome(event_id, False, "already processed")
            if handler is None:
                return Outcome(event_id, True, f"ignored: {event_type} is not used by the shop")
            return Outcome(event_id, True, handler(cur, event_id, obj))

    # -- the event types ------------------------------------------------------------------------
    def _order_of(
        self, cur: psycopg.Cursor[Any], event_id: str, intent_id: str | None
    ) -> tuple[uuid.UUID, OrderState, int, str] | None:
        if not intent_id:
            return None
        row = cur.execute(
            "SELECT order_id, status, total_minor, currency FROM orders "
            "WHERE payment_intent_id = %s FOR UPDATE",
            (intent_id,),
        ).fetchone()
        if row is None:
            return None
        cur.execute(
            "UPDATE stripe_events SET order_id = %s WHERE event_id = %s", (row[0], event_id)
        )
        return row[0], OrderState(row[1]), int(row[2]), str(row[3])

    def _succeeded(self, cur: psycopg.Cursor[Any], event_id: str, intent: dict[str, Any]) -> str:
        found = self._order_of(cur, event_id, intent.get("id"))
        if found is None:
            return "no order for this payment"
        order_id, state, total, currency = found
        if (
            int(intent.get("amount", -1)) != total
            or str(intent.get("currency")) != currency.lower()
        ):
            return "amount or currency differs from the order: not applied"
        reason = f"payment {intent['id']} succeeded ({event_id})"
        if transition(
            cur,
            order_id,
            OrderState.PAID,
            actor=ACTOR,
            reason=reason,
            payment_status=PaymentStatus.SUCCEEDED,
        ):
            return "order paid"
        if state in (OrderState.EXPIRED, OrderState.CANCELLED):
            refund_id = self._account.refund(order_id, intent["id"])
            note_payment(
                cur,
                order_id,
                state,
                PaymentStatus.REFUND_PENDING,
                ACTOR,
                f"payment {intent['id']} arrived after the order was {state.value.lower()}:"
                f" refunded ({refund_id})",
                "OrderPaymentRefunded",
            )
            return f"order was {state.value}: payment refunded"
        return f"order is already {state.value}"

    def _failed(self, cur: psycopg.Cursor[Any], event_id: str, intent: dict[str, Any]) -> str:
        found = self._order_of(cur, event_id, intent.get("id"))
        if found is None:
            return "no order for this payment"
        order_id, state, _, _ = found
        if state is not OrderState.PENDING_PAYMENT:
            return f"order is already {state.value}"
        error = intent.get("last_payment_error") or {}
        note_payment(
            cur,
            order_id,
            state,
            PaymentStatus.FAILED,
            ACTOR,
            f"payment {intent['id']} failed: {error.get('message') or 'no reason given'}",
            "OrderPaymentFailed",
        )
        return "payment failed: order stays payable until it expires"

    def _refunded(self, cur: psycopg.Cursor[Any], event_id: str, charge: dict[str, Any]) -> str:
        found = self._order_of(cur, event_id, charge.get("payment_intent"))
        if found is None:
            return "no order for this charge"
        order_id, state, _, _ = found
        full = int(charge.get("amount_refunded", 0)) >= int(charge.get("amount", 0))
        reason = f"charge {charge.get('id')} refunded ({event_id})"
        if not full:
            note_payment(
                cur,
                order_id,
                state,
                PaymentStatus.PARTIALLY_REFUNDED,
                ACTOR,
                f"partial {reason}",
                "OrderPartiallyRefunded",
            )
            return "partial refund recorded"
        if transition(
            cur,
            order_id,
            OrderState.REFUNDED,
            actor=ACTOR,
            reason=reason,
            payment_status=PaymentStatus.REFUNDED,
        ):
            return "order refunded: stock returned"
        set_payment_status(cur, order_id, PaymentStatus.REFUNDED)
        return f"refund recorded on a {state.value} order"
