"""Payments benchmark, in one run against DynamoDB Local, PostgreSQL, moto (Secrets Manager,
Cognito) and localstripe:

1. round trips of checkout and of the webhook, counted where they leave the process: DynamoDB
   requests on the wire (botocore before-send), PostgreSQL statements and transactions (psycopg's
   Cursor.execute/executemany and Connection.transaction), Stripe API requests (the SDK's
   request_raw);
2. p50/p99 of checkout (POST /api/checkout through lambda_handler, its PaymentIntent created),
   of paying (POST /api/orders/{id}/payment with a card token) and of the webhook
   (a signed payment_intent.succeeded through lambda_handler), each beside raw calls doing the
   same work without the service: a raw PaymentIntent create, a raw update + confirm, a raw
   DynamoDB GetItem and a raw PostgreSQL `SELECT 1` (one round trip of each);
3. checkout-to-paid: checkout, pay, the webhook, then GET /api/orders/{id} (the order read)
   showing PAID, one
   after the other as the browser and Stripe would. The webhook is sent as soon as the confirm
   returns: localstripe waits about a second before it sends its own, and Stripe's delivery delay
   is not measurable here, so the figure is the shop's part of the path.

Run: .venv/bin/python -m bench.payments.bench_payments [--iterations 50] [--write-docs]
(--write-docs: the figures to bench/payments/results.json and docs/payments.md.)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import hmac
import io
import json
import os
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from typing import Any

import boto3
import psycopg
import stripe

from bench.cart.bench_cart import WireCounter, catalog_item, percentiles
from bench.payments.results import COMMITTED
from handlers.cart.stores.database import apply_schema, set_cart_role_password, url_as_cart_role
from handlers.cart.stores.order_store import set_stock
from handlers.shared import env
from handlers.shared.routes import WEBHOOK_PATH
from handlers.shared.tables import CATALOG
from local.cognito import LocalUserPool
from local.lambda_runtime import LambdaContext, alb_event, json_api_event
from local.resources import (
    LOCAL_REGION,
    TABLE_ENV_VARS,
    AwsEndpoints,
    ensure_secret,
    ensure_tables,
    stripe_secret_value,
)
from local.servers import DynamoDBLocal, LocalStripe, MotoServer, PostgresServer

SKU = "PAY-BENCH-1"
WEBHOOK_SECRET = "whsec_bench_" + "b" * 24  # a local bench's own secret
TEST_CARD = "4242424242424242"


class Probe:
    """Counts what one call sends out: DynamoDB requests, SQL statements and transactions,
    Stripe requests (class-level hooks, so every client and connection is seen)."""

    def __init__(self, dynamodb: Any) -> None:
        self._dynamodb = WireCounter(dynamodb)
        self.sql: Counter[str] = Counter()
        self.stripe = 0
        self._patch()

    def _patch(self) -> None:
        probe = self
        cursor, connection = psycopg.Cursor, psycopg.Connection
        execute, executemany, transaction = (
            cursor.execute,
            cursor.executemany,
            connection.transaction,
        )
        requestor = stripe._api_requestor._APIRequestor  # the SDK's one door
        request_raw = requestor.request_raw

        def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
            probe.sql["statements"] += 1
            return execute(self, *args, **kwargs)

        def counted_executemany(self: Any, *args: Any, **kwargs: Any) -> Any:
            probe.sql["statements"] += 1  # one pipeline of one statement
            return executemany(self, *args, **kwargs)

        @contextlib.contextmanager
        def counted_transaction(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            probe.sql["transactions"] += 1
            with transaction(self, *args, **kwargs) as tx:
                yield tx

        def counted_request(self: Any, *args: Any, **kwargs: Any) -> Any:
            probe.stripe += 1
            return request_raw(self, *args, **kwargs)

        cursor.execute = counted_execute  # type: ignore[method-assign]
        cursor.executemany = counted_executemany  # type: ignore[method-assign]
        connection.transaction = counted_transaction  # type: ignore[method-assign]
        requestor.request_raw = counted_request  # type: ignore[method-assign]

    def measure(self, action: Callable[[], Any]) -> dict[str, Any]:
        self.sql.clear()
        self.stripe = 0
        dynamodb = self._dynamodb.measure(action)
        return {
            "dynamodb": dict(dynamodb),
            "sql_statements": self.sql["statements"],
            "sql_transactions": self.sql["transactions"],
            "stripe_requests": self.stripe,
        }


def signed(payload: bytes) -> str:
    """Stripe-Signature as Stripe computes it (https://docs.stripe.com/webhooks#verify-manually)."""
    t = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


def card_token(server: LocalStripe) -> str:
    """A card token as Stripe.js makes one in the browser (publishable key)."""
    fields = {
        "card[number]": TEST_CARD,
        "card[exp_month]": "12",
        "card[exp_year]": "2034",
        "card[cvc]": "123",
        "key": LocalStripe.PUBLISHABLE_KEY,
    }
    request = urllib.request.Request(  # noqa: S310  # http:// on loopback
        f"{server.endpoint}/v1/tokens", data=urllib.parse.urlencode(fields).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        token: str = json.loads(answer.read())["id"]
    return token


class Shopper:
    """One signed-in shopper driving the real lambda_handler with ALB events."""

    def __init__(self, app: Any, token: str, stripe_server: LocalStripe) -> None:
        self.app = app
        self.token = token
        self.stripe_server = stripe_server
        self.context = LambdaContext()

    def call(self, method: str, path: str, body: Any = None, key: bool = False) -> Any:
        event = json_api_event(
            method, path, body, token=self.token, idempotency_key=uuid.uuid4().hex if key else None
        )
        response = self.app.lambda_handler(event, self.context)
        assert response["statusCode"] < 300, response
        return json.loads(response["body"])

    def fill_cart(self) -> None:
        self.call("POST", "/api/cart/items", {"sku": SKU, "quantity": 1}, key=True)

    def checkout(self) -> dict[str, Any]:
        order: dict[str, Any] = self.call("POST", "/api/checkout", key=True)
        return order

    def pay(self, order: dict[str, Any], token: str) -> None:
        answer = self.call(
            "POST", f"/api/orders/{order['order_id']}/payment", {"card_token": token}, key=True
        )
        assert answer["intent_status"] == "succeeded", answer

    def webhook(self, intent: dict[str, Any]) -> None:
        payload = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex[:24]}",
                "object": "event",
                "api_version": "2024-06-20",
                "created": int(time.time()),
                "type": "payment_intent.succeeded",
                "data": {"object": intent},
            }
        ).encode()
        event = alb_event(
            "POST",
            WEBHOOK_PATH,
            headers={"content-type": "application/json", "stripe-signature": signed(payload)},
            body=payload,
        )
        response = self.app.lambda_handler(event, self.context)
        assert response["statusCode"] == 200, response
        assert json.loads(response["body"])["result"] == "order paid", response

    def status(self, order: dict[str, Any]) -> str:
        return str(self.call("GET", f"/api/orders/{order['order_id']}")["status"])


class RawCalls:
    """One round trip of each backend, and Stripe's calls made directly with the SDK."""

    def __init__(self, database_url: str, table: str, stripe_server: LocalStripe) -> None:
        self.pg = psycopg.connect(database_url, autocommit=True)
        self.dynamodb = boto3.client("dynamodb")
        self.table = table
        self.stripe_server = stripe_server
        self.client = stripe.StripeClient(
            LocalStripe.SECRET_KEY,
            base_addresses={"api": stripe_server.endpoint},
            max_network_retries=0,
        )

    def postgres(self) -> None:
        self.pg.execute("SELECT 1").fetchone()

    def get_item(self) -> None:
        self.dynamodb.get_item(TableName=self.table, Key={"sku": {"S": SKU}}, ConsistentRead=True)

    def create_intent(self) -> Any:
        return self.client.v1.payment_intents.create(params={"amount": 4999, "currency": "eur"})

    def confirm(self, intent_id: str, token: str) -> None:
        card = self.client.v1.tokens.retrieve(token).card
        assert card is not None
        self.client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
        self.client.v1.payment_intents.confirm(intent_id)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return (time.perf_counter() - start) * 1000, value


def run(shopper: Shopper, raw: RawCalls, probe: Probe, iterations: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {
        name: []
        for name in (
            "checkout",
            "pay",
            "webhook",
            "order read",
            "checkout-to-paid",
            "raw intent create",
            "raw token read + update + confirm",
            "raw DynamoDB GetItem",
            "raw PostgreSQL SELECT 1",
        )
    }
    # Counted once, after a warm-up round (first connections and the secret read excluded).
    trips: dict[str, Any] = {}
    for _ in range(2):
        shopper.fill_cart()
        trips["checkout"] = probe.measure(shopper.checkout)
        order = shopper.checkout()  # the same order again: retried checkouts find it
        trips["pay"] = probe.measure(partial(shopper.pay, order, card_token(raw.stripe_server)))
        intent = raw.client.v1.payment_intents.retrieve(order["payment"]["intent_id"]).to_dict()
        trips["webhook"] = probe.measure(partial(shopper.webhook, intent))
        trips["order read"] = probe.measure(partial(shopper.status, order))
    for _ in range(iterations):  # interleaved, so load on the machine hits all alike
        shopper.fill_cart()
        token = card_token(raw.stripe_server)
        started = time.perf_counter()
        ms, order = timed(shopper.checkout)
        samples["checkout"].append(ms)
        samples["pay"].append(timed(partial(shopper.pay, order, token))[0])
        # The bench reads the intent to build the event Stripe would send whole: not counted.
        read_ms, intent = timed(
            partial(raw.client.v1.payment_intents.retrieve, order["payment"]["intent_id"])
        )
        samples["webhook"].append(timed(partial(shopper.webhook, intent.to_dict()))[0])
        ms, status = timed(partial(shopper.status, order))
        samples["order read"].append(ms)
        assert status == "PAID"
        samples["checkout-to-paid"].append((time.perf_counter() - started) * 1000 - read_ms)
        raw_token = card_token(raw.stripe_server)
        ms, created = timed(raw.create_intent)
        samples["raw intent create"].append(ms)
        ms, _ = timed(partial(raw.confirm, created.id, raw_token))
        samples["raw token read + update + confirm"].append(ms)
        samples["raw DynamoDB GetItem"].append(timed(raw.get_item)[0])
        samples["raw PostgreSQL SELECT 1"].append(timed(raw.postgres)[0])
    return {
        "round_trips": trips,
        "latency_ms": {name: list(percentiles(values)) for name, values in samples.items()},
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--write-docs", action="store_true", help="save and write the figures")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    with ExitStack() as stack:
        dynamodb, moto = stack.enter_context(DynamoDBLocal()), stack.enter_context(MotoServer())
        postgres, stripe_server = (
            stack.enter_context(PostgresServer()),
            stack.enter_context(LocalStripe()),
        )
        endpoints = AwsEndpoints(moto=moto.endpoint, dynamodb=dynamodb.endpoint)
        os.environ.update(endpoints.environment())
        issuer = LocalUserPool.create(endpoints.cognito_client(), moto.endpoint, LOCAL_REGION)
        admin_url = postgres.create_database("bench_payments")
        password = uuid.uuid4().hex
        with psycopg.connect(admin_url, autocommit=True) as conn:
            apply_schema(conn)
            set_cart_role_password(conn, password)
            set_stock(conn, SKU, 10**9)
        tables = ensure_tables(endpoints.dynamodb_client(), f"paybench{uuid.uuid4().hex[:6]}-")
        for logical, name in tables.items():
            os.environ[TABLE_ENV_VARS[logical]] = name
        catalog = tables[CATALOG.logical_name]
        endpoints.dynamodb_client().put_item(
            TableName=catalog, Item=catalog_item(SKU, "Bench lamp")
        )
        secret = ensure_secret(
            endpoints,
            f"paybench-{uuid.uuid4().hex[:6]}",
            stripe_secret_value(
                LocalStripe.SECRET_KEY, LocalStripe.PUBLISHABLE_KEY, WEBHOOK_SECRET
            ),
        )
        os.environ.update(
            {
                env.DATABASE_URL: url_as_cart_role(admin_url, password),
                env.CART_COOKIE_KEY: "p" * 48,
                env.STRIPE_SECRET_ARN: secret,
                env.STRIPE_API_BASE: stripe_server.endpoint,
                env.STRIPE_JS_URL: stripe_server.js_url,
                **issuer.env(),
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
        )
        from handlers.cart.api import lambda_entry
        from handlers.cart.settings import Settings
        from handlers.cart.wiring import Services

        services = Services.from_settings(Settings.from_env())
        lambda_entry.use_services(services)
        token = issuer.token(f"bench-{uuid.uuid4().hex[:6]}@example.com").access_token
        shopper = Shopper(lambda_entry, token, stripe_server)
        raw = RawCalls(admin_url, catalog, stripe_server)
        probe = Probe(services.dynamodb)
        load_before = os.getloadavg()[0]
        with contextlib.redirect_stdout(io.StringIO()):
            figures = run(shopper, raw, probe, args.iterations)
        load_after = os.getloadavg()[0]
    results = {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "iterations": args.iterations,
        "load_average_before_after": [load_before, load_after],
        **figures,
    }
    COMMITTED.show(results, args.write_docs)


if __name__ == "__main__":
    main()
