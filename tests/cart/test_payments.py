"""Payments against localstripe: checkout's PaymentIntent, the card paid through the SDK, and
localstripe's signed webhook delivered over HTTP into the real lambda_handler. Event types
localstripe never sends (charge.refunded) are signed here and sent through the same route."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
import stripe

from handlers.cart.expiry import expire_due
from handlers.cart.payments.stripe_gateway import (
    StripeAccount,
    intent_idempotency_key,
)
from handlers.cart.stores.credentials import CachedSecret
from handlers.shared.routes import WEBHOOK_PATH
from local.resources import stripe_secret_value
from local.servers import LocalStripe
from tests.cart.conftest import WEBHOOK_SECRET
from tests.cart.stripe_helpers import (
    DECLINED_CARD,
    TEST_CARD,
    card_token,
    event,
    pay,
    signature,
    stripe_client,
    wait_for,
    webhook_receiver,
)
from tests.conftest import unique_prefix


@pytest.fixture(scope="module")
def deliveries(cart_world, _lambda_module):
    """localstripe's webhook pointed at an HTTP endpoint that hands each delivery, as an ALB
    event, to the cart Lambda; yields the list of (event type, status) it answered."""
    from tests.cart.conftest import Client

    client = Client(_lambda_module)
    seen: list[tuple[str, int]] = []

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        sent = {"stripe-signature": headers.get("stripe-signature", "")}
        reply = client.call("POST", WEBHOOK_PATH, raw=body.decode(), headers=sent)
        seen.append((json.loads(body)["type"], reply.status))
        return reply.status

    with webhook_receiver(deliver) as url:
        cart_world.stripe.configure_webhook("cart-payments", url, WEBHOOK_SECRET)
        yield seen


def _order(client, shop, sku: str, quantity: int = 1, price: int = 2500, stock: int = 5):
    shop.product(sku, price)
    shop.stock(sku, stock)
    cookie = client.call("POST", "/api/cart/items", {"sku": sku, "quantity": quantity}).cookie()
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 201, reply.body
    return reply.body, cookie


def _pay_with(client, cart_env, order, cookie, card: str = TEST_CARD):
    """The payment step's POST with a card token made as Stripe.js makes one."""
    body = {"card_token": card_token(cart_env.stripe, card)}
    return client.call("POST", f"/api/orders/{order['order_id']}/payment", body, cookie=cookie)


def _state(client, order, cookie) -> dict[str, Any]:
    body: dict[str, Any] = client.call(
        "GET", f"/api/orders/{order['order_id']}", cookie=cookie
    ).body
    return body


def _send(client, payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    headers = {"stripe-signature": signature(payload, secret, timestamp)}
    return client.call("POST", WEBHOOK_PATH, raw=payload.decode(), headers=headers)


def test_paying_with_a_test_card_makes_the_order_paid_through_the_signed_webhook(
    client, shop, cart_env, deliveries
):
    order, cookie = _order(client, shop, "LAMP-P1", 2, price=4200)
    intent = stripe_client(cart_env.stripe).v1.payment_intents.retrieve(
        order["payment"]["intent_id"]
    )
    assert (intent.amount, intent.currency) == (8400, "eur")
    assert intent.metadata["order_id"] == order["order_id"]
    assert pay(cart_env.stripe, intent.id).status == "succeeded"
    paid = wait_for(lambda: _state(client, order, cookie)["status"] == "PAID")
    assert paid, deliveries
    shown = _state(client, order, cookie)
    assert shown["payment_status"] == "succeeded" and shown["expires_at"] is None
    assert [(e["from"], e["to"], e["actor"]) for e in shown["events"]][1:] == [
        ("PENDING_PAYMENT", "PAID", "stripe")
    ]
    assert shop.stock("LAMP-P1") == 3  # the reservation became the sale


def test_a_declined_card_leaves_the_order_payable(client, shop, cart_env, deliveries):
    order, cookie = _order(client, shop, "LAMP-P2")
    declined = pay(cart_env.stripe, order["payment"]["intent_id"], card=DECLINED_CARD)
    assert isinstance(declined, stripe.CardError)
    assert wait_for(lambda: _state(client, order, cookie)["payment_status"] == "failed")
    shown = _state(client, order, cookie)
    assert shown["status"] == "PENDING_PAYMENT"
    assert "failed" in shown["events"][-1]["reason"]


# Stripe's 3-D Secure test card (authentication required), known to localstripe.
THREE_D_SECURE_CARD = "4000002500003155"


def test_the_payment_step_pays_with_a_browser_card_token_and_paid_comes_by_webhook(
    client, shop, cart_env, deliveries
):
    order, cookie = _order(client, shop, "LAMP-P7", price=1500)
    step = client.call("GET", f"/api/orders/{order['order_id']}/payment", cookie=cookie)
    assert step.status == 200, step.body
    payment = step.body["payment"]
    assert payment["client_secret"] == order["payment"]["client_secret"]
    assert payment["publishable_key"] == LocalStripe.PUBLISHABLE_KEY
    assert payment["stripe_js_url"] == f"{cart_env.stripe.endpoint}/js.stripe.com/v3/"
    paid = _pay_with(client, cart_env, order, cookie)
    assert paid.status == 200, paid.body
    assert paid.body == {"order_id": order["order_id"], "intent_status": "succeeded"}
    assert wait_for(lambda: _state(client, order, cookie)["status"] == "PAID"), deliveries
    again = client.call("GET", f"/api/orders/{order['order_id']}/payment", cookie=cookie)
    assert again.status == 409 and "PAID" in again.body["detail"]


def test_a_declined_card_token_answers_402_in_words_and_the_order_stays_payable(
    client, shop, cart_env
):
    order, cookie = _order(client, shop, "LAMP-P8")
    declined = _pay_with(client, cart_env, order, cookie, DECLINED_CARD)
    assert declined.status == 402, declined.body
    assert declined.content_type == "application/problem+json"
    assert declined.body["detail"].startswith("the card was declined (Your card was declined.)")
    assert _state(client, order, cookie)["status"] == "PENDING_PAYMENT"
    # A second card for the same intent: Stripe confirms it; localstripe keeps the failed charge
    # and refuses the confirm ("Bad request"), which reaches the shopper as a 422 in words.
    retried = _pay_with(client, cart_env, order, cookie)
    assert retried.status == 422 and "new card token" in retried.body["detail"]


def test_a_card_that_needs_3d_secure_answers_requires_action_for_stripe_js(client, shop, cart_env):
    order, cookie = _order(client, shop, "LAMP-P9")
    answer = _pay_with(client, cart_env, order, cookie, THREE_D_SECURE_CARD)
    assert answer.status == 200 and answer.body["intent_status"] == "requires_action"


def test_a_bad_card_token_is_refused_with_what_is_allowed(client, shop, cart_env):
    order, cookie = _order(client, shop, "LAMP-P10")
    path = f"/api/orders/{order['order_id']}/payment"
    malformed = client.call("POST", path, {"card_token": "4242424242424242"}, cookie=cookie)
    assert malformed.status == 422 and "card_token" in json.dumps(malformed.body)
    unknown = client.call("POST", path, {"card_token": "tok_doesnotexist"}, cookie=cookie)
    assert unknown.status == 422, unknown.body
    assert "new card token" in unknown.body["detail"]
    stranger = client.call("POST", path, {"card_token": card_token(cart_env.stripe)})
    assert stranger.status == 404  # another shopper's order is not theirs to pay


def test_a_forged_or_stale_signature_is_refused(client):
    payload = event("payment_intent.succeeded", {"id": "pi_forged"})
    forged = _send(client, payload, secret="whsec_someone_else")
    assert forged.status == 400 and forged.content_type == "application/problem+json"
    assert "Stripe-Signature" in forged.body["detail"]
    stale = _send(client, payload, timestamp=int(time.time()) - 301)  # tolerance: 300 s
    assert stale.status == 400
    unsigned = client.call("POST", WEBHOOK_PATH, raw=payload.decode())
    assert unsigned.status == 400


def test_unknown_event_types_are_acknowledged(client):
    reply = _send(client, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert reply.status == 200 and reply.body["result"].startswith("ignored")


def test_a_webhook_body_over_the_limit_is_refused(client):
    from handlers.cart.limits import MAX_WEBHOOK_BODY_BYTES

    payload = event("customer.created", {"pad": "x" * MAX_WEBHOOK_BODY_BYTES})
    assert _send(client, payload).status == 413


def test_one_event_delivered_50_times_at_once_applies_once(client, shop, cart_env, services):
    order, cookie = _order(client, shop, "LAMP-P3")
    intent_id = order["payment"]["intent_id"]
    # The event is built from the intent localstripe holds; it is sent here 50 times at once.
    intent = {"id": intent_id, "object": "payment_intent", "amount": 2500, "currency": "eur"}
    payload = event("payment_intent.succeeded", intent)
    barrier = threading.Barrier(50)

    def deliver(_: int):
        # To the processor from threads: a Lambda container serves one request at a time, so
        # its module-level resolver is not for threads (each thread has its own connection).
        barrier.wait()
        return services.webhook.receive(payload, signature(payload, WEBHOOK_SECRET))

    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(deliver, range(50)))
    results = sorted(outcome.result for outcome in outcomes)
    assert results.count("order paid") == 1 and results.count("already processed") == 49
    with psycopg.connect(cart_env.database_url) as conn:
        paid_events = conn.execute(
            "SELECT count(*) FROM order_events WHERE order_id = %s AND to_status = 'PAID'",
            (order["order_id"],),
        ).fetchone()
        outbox = conn.execute(
            "SELECT count(*) FROM outbox WHERE order_id = %s AND event_type = 'OrderPaid'",
            (order["order_id"],),
        ).fetchone()
    assert paid_events == (1,) and outbox == (1,)
    assert _state(client, order, cookie)["status"] == "PAID"


def test_50_deliveries_of_one_event_at_once_over_http_to_two_cart_processes_apply_once(
    client, shop, cart_env, site_server
):
    """The same race as above, end to end: 50 HTTP POSTs at once through the local site
    (Hypercorn) to two cart worker processes, each a Lambda container with its own
    connections, so the deliveries really overlap in the database."""
    order, cookie = _order(client, shop, "LAMP-P11")
    intent = {
        "id": order["payment"]["intent_id"],
        "object": "payment_intent",
        "amount": 2500,
        "currency": "eur",
    }
    payload = event("payment_intent.succeeded", intent)
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": signature(payload, WEBHOOK_SECRET),
    }
    barrier = threading.Barrier(50)

    def deliver(_: int) -> tuple[int, str]:
        connection = http.client.HTTPConnection(site_server.host, site_server.port, timeout=60)
        barrier.wait()
        try:
            connection.request("POST", WEBHOOK_PATH, body=payload, headers=headers)
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())["result"]
        finally:
            connection.close()

    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(deliver, range(50)))
    assert {status for status, _ in outcomes} == {200}, outcomes
    results = [result for _, result in outcomes]
    assert results.count("order paid") == 1 and results.count("already processed") == 49
    shown = _state(client, order, cookie)
    assert shown["status"] == "PAID"
    assert [e["to"] for e in shown["events"]] == ["PENDING_PAYMENT", "PAID"]


def _paid(client, shop, cart_env, sku: str, price: int = 3000):
    order, cookie = _order(client, shop, sku, price=price)
    intent = pay(cart_env.stripe, order["payment"]["intent_id"])
    payload = event("payment_intent.succeeded", intent.to_dict())
    assert _send(client, payload).body["result"] == "order paid"
    return order, cookie


def _refunded_charge(cart_env, intent_id: str, amount: int | None = None) -> dict[str, Any]:
    """Refund for real in localstripe, then read the charge as Stripe would send it in
    charge.refunded (localstripe sends no event for a refund: checked below)."""
    sdk = stripe_client(cart_env.stripe)
    if amount is None:
        sdk.v1.refunds.create(params={"payment_intent": intent_id})
    else:
        sdk.v1.refunds.create(params={"payment_intent": intent_id, "amount": amount})
    latest = sdk.v1.payment_intents.retrieve(intent_id).latest_charge
    assert latest is not None
    # localstripe expands latest_charge; Stripe sends its id.
    charge_id = latest if isinstance(latest, str) else latest.id
    charge: dict[str, Any] = sdk.v1.charges.retrieve(charge_id).to_dict()
    assert charge["payment_intent"] == intent_id
    return charge


def test_a_full_refund_makes_the_order_refunded_and_returns_the_stock(client, shop, cart_env):
    order, cookie = _paid(client, shop, cart_env, "LAMP-P4")
    assert shop.stock("LAMP-P4") == 4
    charge = _refunded_charge(cart_env, order["payment"]["intent_id"])
    assert charge["refunded"] is True
    reply = _send(client, event("charge.refunded", charge))
    assert reply.body["result"] == "order refunded: stock returned"
    shown = _state(client, order, cookie)
    assert (shown["status"], shown["payment_status"]) == ("REFUNDED", "refunded")
    assert shop.stock("LAMP-P4") == 5


def test_a_partial_refund_is_recorded_and_the_order_stays_paid(client, shop, cart_env):
    order, cookie = _paid(client, shop, cart_env, "LAMP-P5", price=3000)
    charge = _refunded_charge(cart_env, order["payment"]["intent_id"], amount=1000)
    assert charge["amount_refunded"] == 1000
    assert _send(client, event("charge.refunded", charge)).body["result"] == (
        "partial refund recorded"
    )
    shown = _state(client, order, cookie)
    assert (shown["status"], shown["payment_status"]) == ("PAID", "partially_refunded")
    assert shop.stock("LAMP-P5") == 4


def test_localstripe_sends_no_event_for_a_refund(client, shop, cart_env, deliveries):
    """What localstripe lacks (docs/payments.md): a refund creates no charge.refunded event,
    so the refund path is tested at the seam above."""
    order, cookie = _order(client, shop, "LAMP-P6")
    pay(cart_env.stripe, order["payment"]["intent_id"])
    assert wait_for(lambda: _state(client, order, cookie)["status"] == "PAID")
    _refunded_charge(cart_env, order["payment"]["intent_id"])
    time.sleep(2.5)  # localstripe sends each event about 1 s after the change
    kinds = {kind for kind, _ in deliveries}
    assert "payment_intent.succeeded" in kinds
    assert not {kind for kind in kinds if kind.startswith(("charge.refund", "refund."))}
    assert _state(client, order, cookie)["status"] == "PAID"  # nothing told the shop


def test_a_payment_after_expiry_is_refunded_not_revived(client, shop, cart_env, deliveries):
    order, cookie = _order(client, shop, "LAMP-P7", stock=3)
    with psycopg.connect(cart_env.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = %s",
            (order["order_id"],),
        )
    with psycopg.connect(cart_env.cart_database_url, autocommit=True) as conn:
        assert expire_due(conn).expired >= 1
    assert shop.stock("LAMP-P7") == 3  # returned at expiry
    pay(cart_env.stripe, order["payment"]["intent_id"])  # the shopper pays late
    refunding = wait_for(
        lambda: _state(client, order, cookie)["payment_status"] != "requires_payment"
    )
    assert refunding
    shown = _state(client, order, cookie)
    assert (shown["status"], shown["payment_status"]) == ("EXPIRED", "refund_pending")
    refunds = stripe_client(cart_env.stripe).v1.refunds.list(
        params={"payment_intent": order["payment"]["intent_id"]}
    )
    assert [refund.amount for refund in refunds.data] == [2500]
    assert shop.stock("LAMP-P7") == 3  # not taken again


def test_writes_to_stripe_carry_the_order_idempotency_key(cart_env):
    """localstripe ignores Idempotency-Key (two creates with one key make two intents: shown
    here), so what the shop controls is tested: the key it sends, recorded on the wire."""
    sent: list[dict[str, str]] = []

    class Recording(stripe.UrllibClient):
        def request(  # type: ignore[override]  # as UrllibClient declares it
            self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
        ) -> tuple[str, int, Mapping[str, str]]:
            sent.append(dict(headers))
            return super().request(method, url, headers, post_data)

    import boto3

    secret = CachedSecret(boto3.client("secretsmanager"), cart_env.stripe_secret_arn)
    account = StripeAccount(secret, cart_env.stripe.endpoint, http_client=Recording())
    order_id = uuid.uuid4()
    first = account.create_intent(order_id, 1234, "EUR")
    second = account.create_intent(order_id, 1234, "EUR")
    keys = [headers.get("Idempotency-Key") for headers in sent]
    assert keys == [intent_idempotency_key(order_id)] * 2
    assert first.id != second.id  # localstripe's gap; Stripe answers the first intent again


def test_a_rolled_secret_key_is_read_again_once(cart_env):
    import boto3

    name = f"{unique_prefix('stripe')}rolled"
    endpoints_env = boto3.client("secretsmanager")  # moto's: cart_env set AWS_ENDPOINT_URL
    stale = stripe_secret_value("rk_revoked", LocalStripe.PUBLISHABLE_KEY, WEBHOOK_SECRET)
    arn = endpoints_env.create_secret(Name=name, SecretString=stale)["ARN"]
    account = StripeAccount(CachedSecret(endpoints_env, arn), cart_env.stripe.endpoint)
    with pytest.raises(stripe.AuthenticationError):
        account.create_intent(uuid.uuid4(), 100, "EUR")  # unchanged on re-read: raises
    endpoints_env.put_secret_value(
        SecretId=arn,
        SecretString=stripe_secret_value(
            LocalStripe.SECRET_KEY, LocalStripe.PUBLISHABLE_KEY, WEBHOOK_SECRET
        ),
    )
    assert account.create_intent(uuid.uuid4(), 100, "EUR").amount == 100


def test_stripe_unreachable_at_checkout_keeps_the_order_and_a_retry_gets_its_payment(
    client, shop, services, cart_env
):
    from dataclasses import replace

    from handlers.cart.api.guest_cookie import GuestCookie
    from handlers.cart.api.owners import Owner
    from handlers.cart.api.problems import Problem
    from handlers.cart.wiring import Services
    from local.servers import free_port
    from tests.cart.conftest import COOKIE_KEY

    shop.product("LAMP-P8", 2500)
    shop.stock("LAMP-P8", 5)
    cookie = client.call("POST", "/api/cart/items", {"sku": "LAMP-P8", "quantity": 1}).cookie()
    guest = Owner("guest", GuestCookie(COOKIE_KEY.encode()).guest_id(cookie))
    down = Services.from_settings(
        replace(services.settings, stripe_api_base=f"http://127.0.0.1:{free_port()}")
    )
    with pytest.raises(Problem) as refused:
        down.orders.checkout(guest)
    assert refused.value.status == 503 and "retry the checkout" in refused.value.detail
    assert shop.stock("LAMP-P8") == 4  # the order holds its stock
    retried = client.call("POST", "/api/checkout", cookie=cookie)
    assert retried.status == 200
    assert retried.body["order_id"] == refused.value.extra["order_id"]
    assert retried.body["payment"]["client_secret"]
