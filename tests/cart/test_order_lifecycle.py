"""The order lifecycle on PostgreSQL: guarded transitions, reservation expiry (batches, two runs
at once, racing payments), cancellation, order lists, the outbox relayed to (moto's)
EventBridge, and the notifications Lambda sending through (moto's) SES v2."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import boto3
import psycopg
import pytest

from handlers.cart.expiry import expire_batch, expire_due
from handlers.cart.jobs_lambda import run_jobs
from handlers.cart.notifications import Notifier
from handlers.cart.outbox_relay import relay
from handlers.cart.stores.order_lifecycle import OrderState, transition
from handlers.cart.wiring import Services
from handlers.shared.routes import WEBHOOK_PATH
from handlers.shared.tables import IDEMPOTENCY
from tests.cart.conftest import WEBHOOK_SECRET
from tests.cart.stripe_helpers import event, pay, signature, stripe_client


def _order(client, shop, sku: str, quantity: int = 1, stock: int = 5, token=None, email=None):
    shop.product(sku, 1500)
    if stock is not None:
        shop.stock(sku, stock)
    reply = client.call("POST", "/api/cart/items", {"sku": sku, "quantity": quantity}, token=token)
    cookie = reply.cookie()
    body = {"email": email} if email else None
    reply = client.call("POST", "/api/checkout", body, cookie=cookie, token=token)
    assert reply.status == 201, reply.body
    return reply.body, cookie


def _make_due(cart_env, *order_ids: str) -> None:
    with psycopg.connect(cart_env.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE orders SET expires_at = now() - interval '1 second' "
            "WHERE order_id = ANY(%s::uuid[])",
            (list(order_ids),),
        )


def _status(cart_env, order_id: str) -> tuple[str, str]:
    with psycopg.connect(cart_env.database_url) as conn:
        row = conn.execute(
            "SELECT status, payment_status FROM orders WHERE order_id = %s", (order_id,)
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def _service_conn(cart_env) -> psycopg.Connection:
    """As the cart's own role: proves its grants cover every step."""
    return psycopg.connect(cart_env.cart_database_url, autocommit=True)


def test_a_due_order_expires_returns_its_stock_and_records_why(client, shop, cart_env):
    order, cookie = _order(client, shop, "EXP-1", quantity=2, stock=5)
    kept, _ = _order(client, shop, "EXP-2", stock=5)  # not due: stays
    assert shop.stock("EXP-1") == 3
    _make_due(cart_env, order["order_id"])
    with _service_conn(cart_env) as conn:
        expire_due(conn)
    assert _status(cart_env, order["order_id"])[0] == "EXPIRED"
    assert _status(cart_env, kept["order_id"])[0] == "PENDING_PAYMENT"
    assert shop.stock("EXP-1") == 5
    shown = client.call("GET", f"/api/orders/{order['order_id']}", cookie=cookie).body
    last = shown["events"][-1]
    assert (last["from"], last["to"], last["actor"]) == (
        "PENDING_PAYMENT",
        "EXPIRED",
        "reservation-expiry",
    )
    assert "reservation deadline" in last["reason"]


def test_a_transition_from_the_wrong_state_changes_nothing(client, shop, cart_env):
    order, _ = _order(client, shop, "EXP-3")
    order_id = uuid.UUID(order["order_id"])
    with _service_conn(cart_env) as conn, conn.transaction(), conn.cursor() as cur:
        assert transition(cur, order_id, OrderState.FULFILLED, actor="t", reason="r") is None
        assert transition(cur, order_id, OrderState.REFUNDED, actor="t", reason="r") is None
        done = transition(cur, order_id, OrderState.CANCELLED, actor="t", reason="r")
        assert done is not None and done.from_state is OrderState.PENDING_PAYMENT
        assert transition(cur, order_id, OrderState.PAID, actor="t", reason="r") is None
    assert _status(cart_env, order["order_id"])[0] == "CANCELLED"
    assert shop.stock("EXP-3") == 5


def test_two_expiry_runs_at_once_expire_each_order_once(client, shop, cart_env):
    orders = [_order(client, shop, f"EXP-R{i}", stock=3)[0]["order_id"] for i in range(12)]
    _make_due(cart_env, *orders)
    barrier = threading.Barrier(2)

    def run(_: int) -> int:
        with _service_conn(cart_env) as conn:
            barrier.wait()
            return sum(expire_batch(conn, limit=4) for _ in range(6))

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(run, range(2)))
    assert sum(counts) == 12
    with psycopg.connect(cart_env.database_url) as conn:
        expiries = conn.execute(
            "SELECT count(*) FROM order_events WHERE to_status = 'EXPIRED' "
            "AND order_id = ANY(%s::uuid[])",
            (orders,),
        ).fetchone()
    assert expiries == (12,)
    assert {shop.stock(f"EXP-R{i}") for i in range(12)} == {3}


def test_orders_expiring_while_their_payments_succeed_end_paid_or_expired_and_refunded(
    client, shop, cart_env, services
):
    """100 paid orders: their succeeded events race two expiry runs. Each order ends in exactly
    one of PAID or EXPIRED with its payment sent back, and stock matches. Deliveries go to the
    webhook processor from threads (one Lambda container serves one request at a time, so
    its module-level resolver is not for threads)."""
    count = 100
    shop.product("RACE-1", 1500)
    shop.stock("RACE-1", count)
    orders = []
    for _ in range(count):
        cookie = client.call("POST", "/api/cart/items", {"sku": "RACE-1", "quantity": 1}).cookie()
        orders.append(client.call("POST", "/api/checkout", cookie=cookie).body)
    payloads = [
        event("payment_intent.succeeded", pay(cart_env.stripe, o["payment"]["intent_id"]).to_dict())
        for o in orders
    ]
    _make_due(cart_env, *(o["order_id"] for o in orders))
    start = threading.Barrier(6)

    def expire(_: int) -> int:
        with _service_conn(cart_env) as conn:
            start.wait()
            return sum(expire_batch(conn, limit=10) for _ in range(12))

    def deliver(chunk: list[bytes]) -> list[str]:
        start.wait()
        results = []
        for payload in chunk:
            outcome = services.webhook.receive(payload, signature(payload, WEBHOOK_SECRET))
            results.append(outcome.result)
        return results

    with ThreadPoolExecutor(6) as pool:
        expirers = [pool.submit(expire, i) for i in range(2)]
        deliverers = [pool.submit(deliver, payloads[i::4]) for i in range(4)]
        results = [r for future in deliverers for r in future.result()]
        expired = sum(future.result() for future in expirers)
    states = [_status(cart_env, o["order_id"]) for o in orders]
    paid = states.count(("PAID", "succeeded"))
    refunded = states.count(("EXPIRED", "refund_pending"))
    assert paid + refunded == count, states
    assert results.count("order paid") == paid
    assert results.count("order was EXPIRED: payment refunded") == refunded == expired
    assert shop.stock("RACE-1") == count - paid
    # And in Stripe (localstripe): every expired order's charge refunded in full, no paid one's.
    sdk = stripe_client(cart_env.stripe)
    refunded_minor = {}
    for order in orders:
        latest = sdk.v1.payment_intents.retrieve(order["payment"]["intent_id"]).latest_charge
        assert latest is not None
        charge = sdk.v1.charges.retrieve(latest if isinstance(latest, str) else latest.id)
        refunded_minor[order["order_id"]] = charge.amount_refunded
    for order, state in zip(orders, states, strict=True):
        assert refunded_minor[order["order_id"]] == (1500 if state[0] == "EXPIRED" else 0), state


def test_a_shopper_cancels_an_unpaid_order_once(client, shop, cart_env):
    order, cookie = _order(client, shop, "CAN-1", quantity=2, stock=4)
    assert shop.stock("CAN-1") == 2
    path = f"/api/orders/{order['order_id']}/cancel"
    reply = client.call("POST", path, cookie=cookie)
    assert reply.status == 200 and reply.body["status"] == "CANCELLED"
    assert shop.stock("CAN-1") == 4
    again = client.call("POST", path, cookie=cookie)
    assert again.status == 409 and "only a PENDING_PAYMENT order" in again.body["detail"]
    assert client.call("POST", path).status == 404  # someone else's
    assert shop.stock("CAN-1") == 4


def test_a_signed_in_shopper_lists_their_orders_newest_first_in_pages(client, shop, issuer):
    token = issuer.token(f"lister-{uuid.uuid4().hex[:6]}@example.com").access_token
    made = [_order(client, shop, f"LIST-{i}", token=token)[0]["order_id"] for i in range(23)]
    first = client.call("GET", "/api/orders", token=token)
    assert first.status == 200 and len(first.body["orders"]) == 20
    second = client.call("GET", "/api/orders", token=token, query={"before": first.body["next"]})
    assert second.body["next"] is None
    listed = [o["order_id"] for o in first.body["orders"] + second.body["orders"]]
    assert listed == list(reversed(made))
    assert client.call("GET", "/api/orders").status == 401
    bad = client.call("GET", "/api/orders", token=token, query={"before": "nonsense"})
    assert bad.status == 422


@pytest.fixture
def order_bus(cart_env):
    """A bus with a rule sending order events to a queue, as the stack wires them (moto)."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    name = f"orders-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=name)
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name=name, EventBusName=name, EventPattern=json.dumps({"source": ["shop3d.orders"]})
    )
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "q", "Arn": arn}])
    return name, queue


def _drain(queue: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return messages
        messages += [dict(message) for message in got]


def _sent_mail() -> list[Any]:
    """moto's SES backend (its server runs in this process): the messages it accepted."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_order_events_reach_the_bus_once_and_mail_goes_out_once(
    client, shop, cart_env, order_bus, services
):
    bus, queue = order_bus
    with _service_conn(cart_env) as conn:  # earlier tests' rows: published elsewhere
        conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    order, _ = _order(client, shop, "MAIL-1", email="buyer@example.com")
    expiring, _ = _order(client, shop, "MAIL-2", email="late@example.com")
    intent = pay(cart_env.stripe, order["payment"]["intent_id"]).to_dict()
    payload = event("payment_intent.succeeded", intent)
    headers = {"stripe-signature": signature(payload, WEBHOOK_SECRET)}
    assert client.call("POST", WEBHOOK_PATH, raw=payload.decode(), headers=headers).status == 200
    _make_due(cart_env, expiring["order_id"])
    jobs = Services.from_settings(replace(services.settings, event_bus_name=bus))
    assert run_jobs(jobs)["expired"] == 1
    with _service_conn(cart_env) as conn:
        assert relay(conn, boto3.client("events"), bus) == 0  # nothing left: once
    messages = _drain(queue)
    kinds = sorted(json.loads(m["Body"])["detail-type"] for m in messages)
    assert kinds == ["OrderExpired", "OrderPaid", "OrderPlaced", "OrderPlaced"]

    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity="shop.example")
    notifier = Notifier(
        ses,
        boto3.client("dynamodb"),
        cart_env.tables[IDEMPOTENCY.logical_name],
        "orders@shop.example",
    )
    before = len(_sent_mail())
    records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
    assert notifier.handle_batch(records + records) == {"batchItemFailures": []}  # repeated
    sent = _sent_mail()[before:]
    assert sorted((m.destinations["ToAddresses"][0], m.subject) for m in sent) == [
        ("buyer@example.com", f"shop3d: order {order['order_id']} confirmed"),
        ("late@example.com", f"shop3d: order {expiring['order_id']} expired"),
    ]
