"""Paying through localstripe, receiving its signed webhooks over HTTP, and signing events for
the event types localstripe never sends (the seam: handlers.cart.payments.webhook)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe

from local.servers import LOOPBACK, LocalStripe

TEST_CARD = "4242424242424242"  # Stripe's test Visa: succeeds
# Stripe's test card that attaches and then fails when charged (localstripe declines its
# generic-decline card 4000000000000002 only on attaching it to a customer or a SetupIntent, so
# the shop's token-and-confirm flow would charge it).
DECLINED_CARD = "4000000000000341"


def stripe_client(server: LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        LocalStripe.SECRET_KEY, base_addresses={"api": server.endpoint}, max_network_retries=0
    )


def pay(server: LocalStripe, intent_id: str, card: str = TEST_CARD) -> Any:
    """Confirm a PaymentIntent with a card as the browser would. localstripe answers confirm
    with a payment_method argument "Not implemented", so the method is set by an update first."""
    client = stripe_client(server)
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    try:
        return client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError as declined:
        return declined


def card_token(server: LocalStripe, card: str = TEST_CARD) -> str:
    """A card token as the browser's Stripe.js makes one: POST /v1/tokens with the publishable
    key (what localstripe's /js.stripe.com/v3/ stand-in sends for createToken)."""
    fields = {
        "card[number]": card,
        "card[exp_month]": "12",
        "card[exp_year]": "2034",
        "card[cvc]": "123",
        "key": LocalStripe.PUBLISHABLE_KEY,
    }
    request = urllib.request.Request(  # noqa: S310  # http:// on loopback, built here
        f"{server.endpoint}/v1/tokens",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        token: str = json.loads(answer.read())["id"]
    return token


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe-Signature as Stripe computes it: v1 = HMAC-SHA256(secret, "<t>.<payload>")
    (https://docs.stripe.com/webhooks#verify-manually)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    """A v1 snapshot event, the shape Stripe delivers."""
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


class _Receiver(BaseHTTPRequestHandler):
    deliver: Callable[[bytes, dict[str, str]], int]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = self.deliver(body, {k.lower(): v for k, v in self.headers.items()})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def webhook_receiver(deliver: Callable[[bytes, dict[str, str]], int]) -> Iterator[str]:
    """An HTTP endpoint on loopback handing each POST to `deliver` (body, headers) -> status;
    yields its URL."""
    handler = type("Receiver", (_Receiver,), {"deliver": staticmethod(deliver)})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/api/payments/webhook"
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll until `condition()` is truthy (localstripe sends events about 1 s after a change;
    on a loaded 2-core machine its delivery thread can take tens of seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)
