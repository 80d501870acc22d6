"""Checkout: the cart becomes an order in PostgreSQL in one transaction that reserves stock.

No SKU can be oversold: each line's reservation is `UPDATE inventory SET on_hand = on_hand - q
WHERE sku = s AND on_hand >= q`, which takes the row lock, so racing checkouts queue on the row
and the loser sees the stock the winner left. Rows are locked in SKU order (no deadlocks).
A cart generation turns into at most one order (UNIQUE (cart_id, cart_generation)).

The order is born PENDING_PAYMENT with a reservation deadline (`expires_at`, the stack's
reservationMinutes after checkout) and its first history and outbox rows, in the same
transaction. After commit, the order's PaymentIntent is created (idempotency key from the order
id, amount from the order) and its id stored; a retried checkout finds the order (with or
without an Idempotency-Key) and answers it with the same PaymentIntent's client secret.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import psycopg

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem, conflict, invalid, not_found
from handlers.cart.cart_operations import priced_lines
from handlers.cart.stores.cart_store import CartState, CartStore, Change
from handlers.cart.stores.database import Connections
from handlers.cart.stores.order_lifecycle import OrderState, PaymentStatus, history, record_event
from handlers.cart.tracing import tracer
from handlers.shared.catalog import Catalog

if TYPE_CHECKING:
    from handlers.cart.payments.stripe_gateway import Intent, StripeAccount

# Checkout's 409 says how many can still be bought only below this: an exact count above it
# would tell anyone the shop's stock.
STOCK_HINT_CAP: Final = 5
ORDER_PAGE_SIZE: Final = 20
_SELECT_ORDER: Final = (
    "SELECT order_id, status, currency, total_minor, created_at, expires_at, payment_status, "
    "payment_intent_id FROM orders "
)
# Keyset pagination: newest first, after the cursor (created_at, order_id) when one is given.
_ORDER_PAGE: Final = (
    _SELECT_ORDER + "WHERE owner_key = %s AND (%s::timestamptz IS NULL OR "
    "(created_at, order_id) < (%s::timestamptz, %s::uuid)) "
    "ORDER BY created_at DESC, order_id DESC LIMIT %s"
)


class _AlreadyOrdered(Exception):
    pass


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _order_document(row: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> dict[str, Any]:
    order_id, status, currency, total, created_at, expires_at, payment_status, _ = row
    return {
        "order_id": str(order_id),
        "status": status,
        "currency": currency,
        "total_minor": int(total),
        "payment_status": payment_status,
        "expires_at": _iso(expires_at) if status == OrderState.PENDING_PAYMENT else None,
        "lines": [
            {
                "sku": sku,
                "name": name,
                "variant": None if key is None else {"key": key, "name": variant_name},
                "quantity": int(quantity),
                "unit_price_minor": int(unit),
                "line_total_minor": int(line_total),
            }
            for sku, name, key, variant_name, quantity, unit, line_total in lines
        ],
        "created_at": _iso(created_at),
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
    def __init__(
        self,
        connections: Connections,
        store: CartStore,
        catalog: Catalog,
        *,
        reservation_minutes: int,
        payments: StripeAccount | None = None,
    ) -> None:
        self._connections = connections
        self._store = store
        self._catalog = catalog
        self._reservation_minutes = reservation_minutes
        self._payments = payments  # None: orders are placed, no payment is asked for

    def get(self, owner: Owner, order_id: str) -> dict[str, Any]:
        try:
            key = uuid.UUID(order_id)
        except ValueError:
            raise not_found(f"no order {order_id!r} for this shopper") from None
        conn = self._connections.get()
        document = self._load(conn, owner, key)
        if document is None:
            raise not_found(f"no order {order_id!r} for this shopper")
        return {**document, "events": history(conn, key)}

    def list(self, owner: Owner, before: str | None = None) -> dict[str, Any]:
        """The owner's orders, newest first, ORDER_PAGE_SIZE a page; `before` is the previous
        page's `next` cursor (the last order's created_at and id)."""
        conn = self._connections.get()
        cursor_at: datetime | None = None
        cursor_id: uuid.UUID | None = None
        if before is not None:
            created, _, last_id = before.partition("_")
            try:
                cursor_id = uuid.UUID(last_id)
                cursor_at = datetime.fromisoformat(created)
            except ValueError:
                raise invalid(
                    f"{before[:80]!r} is not a page cursor: pass the `next` value of a page"
                ) from None
        rows = conn.execute(
            _ORDER_PAGE, (owner.cart_id, cursor_at, cursor_at, cursor_id, ORDER_PAGE_SIZE + 1)
        ).fetchall()
        page = rows[:ORDER_PAGE_SIZE]
        orders = [
            {
                "order_id": str(row[0]),
                "status": row[1],
                "currency": row[2],
                "total_minor": int(row[3]),
                "payment_status": row[6],
                "created_at": _iso(row[4]),
            }
            for row in page
        ]
        more = len(rows) > ORDER_PAGE_SIZE
        cursor = f"{_iso(page[-1][4])}_{page[-1][0]}" if more else None
        return {"orders": orders, "next": cursor}

    def cancel(self, owner: Owner, order_id: str) -> dict[str, Any]:
        """The shopper gives up an unpaid order: CANCELLED, stock back; 409 once it moved on."""
        from handlers.cart.stores.order_lifecycle import transition

        document = self.get(owner, order_id)
        key = uuid.UUID(document["order_id"])
        conn = self._connections.get()
        with conn.transaction(), conn.cursor() as cur:
            done = transition(
                cur,
                key,
                OrderState.CANCELLED,
                actor=owner.cart_id,
                reason="cancelled by the shopper",
            )
        if done is None:
            current = self.get(owner, order_id)["status"]
            raise conflict(
                f"order {order_id} is {current}: only a PENDING_PAYMENT order can be cancelled",
                order_status=current,
            )
        return self.get(owner, order_id)

    def _load(
        self, conn: psycopg.Connection, owner: Owner, order_id: uuid.UUID
    ) -> dict[str, Any] | None:
        row = conn.execute(
            _SELECT_ORDER + "WHERE order_id = %s AND owner_key = %s",
            (order_id, owner.cart_id),
        ).fetchone()
        if row is None:
            return None
        lines = conn.execute(
            "SELECT sku, name, variant_key, variant_name, quantity, unit_price_minor, "
            "line_total_minor FROM order_lines "
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

    def _just_ordered(
        self, conn: psycopg.Connection, owner: Owner, state: CartState
    ) -> uuid.UUID | None:
        """The unpaid order made from the cart generation just before this (empty) one: what a
        checkout retried after the first one cleared the cart is pointing at."""
        if state.version == 0 or state.lines:
            return None
        row = conn.execute(
            "SELECT order_id FROM orders WHERE cart_id = %s AND cart_generation = %s "
            "AND status = %s",
            (owner.cart_id, state.generation - 1, OrderState.PENDING_PAYMENT),
        ).fetchone()
        return None if row is None else row[0]

    @tracer.capture_method
    def checkout(self, owner: Owner, email: str | None = None) -> tuple[int, dict[str, Any]]:
        """(201, order) for a new order; (200, order) when this cart generation was ordered,
        or when the cart is empty right after a checkout (a retry whose first reply was lost)."""
        state = self._store.read(owner.cart_id)
        conn = self._connections.get()
        previous = self._existing(conn, owner, state.generation)
        if previous is not None:
            self._clear(owner, state)
            return 200, self._with_payment(conn, owner, previous)
        if not state.lines:
            retried = self._just_ordered(conn, owner, state)
            if retried is not None:
                return 200, self._with_payment(conn, owner, retried)
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
                    "cart_id, cart_generation, email, expires_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() + make_interval(mins => %s)) "
                    "ON CONFLICT (cart_id, cart_generation) DO NOTHING RETURNING order_id",
                    (
                        order_id,
                        owner.cart_id,
                        OrderState.PENDING_PAYMENT,
                        state.currency,
                        sum(ln["line_total_minor"] for ln in lines),
                        owner.cart_id,
                        state.generation,
                        email,
                        self._reservation_minutes,
                    ),
                )
                if cur.fetchone() is None:
                    raise _AlreadyOrdered  # a concurrent checkout won: undo our reservations
                cur.executemany(
                    "INSERT INTO order_lines (order_id, position, sku, name, variant_key, "
                    "variant_name, quantity, unit_price_minor, line_total_minor) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            order_id,
                            position,
                            ln["sku"],
                            ln["name"],
                            *_variant_columns(ln),
                            ln["quantity"],
                            ln["unit_price_minor"],
                            ln["line_total_minor"],
                        )
                        for position, ln in enumerate(lines)
                    ],
                )
                record_event(
                    cur, order_id, None, OrderState.PENDING_PAYMENT, owner.cart_id, "checkout"
                )
        except _AlreadyOrdered:
            winner = self._existing(conn, owner, state.generation)
            assert winner is not None  # the unique row exists: the insert just collided with it
            return 200, self._with_payment(conn, owner, winner)
        self._clear(owner, state)
        return 201, self._with_payment(conn, owner, order_id)

    def _with_payment(
        self, conn: psycopg.Connection, owner: Owner, order_id: uuid.UUID
    ) -> dict[str, Any]:
        """The order, and for an unpaid one its PaymentIntent (created on first need, with the
        order's idempotency key, so two racing checkouts ask Stripe for the same one)."""
        document = self._must_load(conn, owner, order_id)
        if self._payments is None or document["status"] != OrderState.PENDING_PAYMENT:
            return {**document, "payment": None}
        intent_id = _intent_id(conn, order_id)
        import stripe  # loaded already by the Stripe account (payments is set)

        try:
            intent = self._intent(conn, order_id, intent_id, document)
        except stripe.StripeError as error:
            raise Problem(
                503,
                "payment-provider-unavailable",
                f"order {order_id} holds its stock, but its payment could not be prepared"
                f" ({type(error).__name__}); retry the checkout: it finds this order",
                order_id=str(order_id),
            ) from None
        if intent_id is None:
            document = {**document, "payment_status": PaymentStatus.REQUIRES_PAYMENT.value}
        return {
            **document,
            "payment": {
                "provider": "stripe",
                "intent_id": intent.id,
                "client_secret": intent.client_secret,
                "publishable_key": self._payments.keys().publishable_key,
                "stripe_js_url": self._payments.js_url,
                "amount_minor": intent.amount,
                "currency": intent.currency,
            },
        }

    def payment(self, owner: Owner, order_id: str) -> dict[str, Any]:
        """The payment step's data for an unpaid order (what checkout answered): a reloaded
        payment page asks again instead of keeping the client secret anywhere."""
        document = self._payable(owner, order_id)
        return self._with_payment(self._connections.get(), owner, uuid.UUID(document["order_id"]))

    def pay(self, owner: Owner, order_id: str, card_token: str) -> dict[str, Any]:
        """Confirm the order's PaymentIntent with a card token from Stripe.js. The order turns
        PAID only through the webhook (Stripe's word, applied once); this answers what the
        browser does next: wait (`succeeded`, `processing`) or run 3-D Secure
        (`requires_action`, with Stripe.js and the client secret it holds)."""
        if self._payments is None:
            raise Problem(503, "payments-not-configured", "this shop takes no payments")
        import stripe  # loaded already by the Stripe account (payments is set)

        from handlers.cart.payments.problems import payment_problem

        key = uuid.UUID(self._payable(owner, order_id)["order_id"])
        conn = self._connections.get()
        intent_id = _intent_id(conn, key)
        if intent_id is None:  # its creation failed at checkout: made now, as a retry would
            intent_id = self._with_payment(conn, owner, key)["payment"]["intent_id"]
        try:
            intent = self._payments.confirm_with_card_token(key, intent_id, card_token)
        except stripe.StripeError as error:
            raise payment_problem(error) from None
        return {"order_id": order_id, "intent_status": intent.status}

    def _payable(self, owner: Owner, order_id: str) -> dict[str, Any]:
        document = self.get(owner, order_id)
        if document["status"] != OrderState.PENDING_PAYMENT:
            raise conflict(
                f"order {order_id} is {document['status']}: only a PENDING_PAYMENT order is paid",
                order_status=document["status"],
            )
        return document

    def _intent(
        self,
        conn: psycopg.Connection,
        order_id: uuid.UUID,
        intent_id: str | None,
        document: dict[str, Any],
    ) -> Intent:
        assert self._payments is not None
        if intent_id is not None:
            return self._payments.retrieve_intent(intent_id)
        intent = self._payments.create_intent(
            order_id, document["total_minor"], document["currency"]
        )
        conn.execute(
            "UPDATE orders SET payment_intent_id = %s, payment_status = %s, "
            "updated_at = now() WHERE order_id = %s AND payment_intent_id IS NULL",
            (intent.id, PaymentStatus.REQUIRES_PAYMENT, order_id),
        )
        return intent

    def _must_load(
        self, conn: psycopg.Connection, owner: Owner, order_id: uuid.UUID
    ) -> dict[str, Any]:
        document = self._load(conn, owner, order_id)
        if document is None:
            raise Problem(500, "internal", "an order vanished while it was being read")
        return document

    def _clear(self, owner: Owner, ordered: CartState) -> None:
        """Start a new cart generation, unless another request already did: one write
        conditioned on the version read at checkout (re-planned if the cart changed since).
        What was added after checkout read the cart is not in the order, so it stays in the
        new generation."""

        def plan(state: CartState) -> Change | None:
            if state.generation != ordered.generation:
                return None
            leftover = {
                line.sku: line.quantity - ordered.quantity(line.sku)
                for line in state.lines
                if line.quantity > ordered.quantity(line.sku)
            }
            return Change(quantities=leftover, currency=state.currency, new_generation=True)

        self._store.mutate(owner, plan, start=ordered)


def _intent_id(conn: psycopg.Connection, order_id: uuid.UUID) -> str | None:
    row = conn.execute(
        "SELECT payment_intent_id FROM orders WHERE order_id = %s", (order_id,)
    ).fetchone()
    return None if row is None else row[0]


def _variant_columns(line: dict[str, Any]) -> tuple[str | None, str | None]:
    """(variant_key, variant_name) of a priced line: the order keeps what was chosen."""
    variant = line["variant"]
    return (None, None) if variant is None else (variant["key"], variant["name"])


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
    if available >= STOCK_HINT_CAP:
        raise conflict(f"not enough stock for SKU {sku!r}: order fewer", sku=sku)
    raise conflict(
        f"not enough stock for SKU {sku!r}: at most {available} can be ordered",
        sku=sku,
        available=available,
    )
