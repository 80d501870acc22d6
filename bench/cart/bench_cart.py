"""Cart service benchmark: in one run against the same DynamoDB Local (and Redis, PostgreSQL):

1. DynamoDB round trips per endpoint, counted on the wire (botocore before-send events),
   with the catalog cache warm (Redis) and without a cache;
2. p50/p99 latency of each lambda_handler call (ALB event, verified RS256 token) beside a raw
   boto3 call doing the same DynamoDB operation, and the overhead ratio;
3. cold start in fresh interpreters, ours and the baseline alternating (medians, load average
   printed): the import of the Lambda module beside `import boto3` alone, and, since the module
   makes its clients on first use, import plus the first request beside boto3 importing, making
   its client and sending the same requests (bench/cart/first_request.py).

Run: .venv/bin/python -m bench.cart.bench_cart [--iterations 200] [--cold-runs 11] [--write-docs]
(--write-docs: the figures to bench/cart/results.json and docs/cart-service.md.)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import psycopg
import redis

from bench.cart.first_request import CACHE_KEY_ENV, SKU_ENV
from bench.cart.results import BLOCK, COMMITTED, RESULTS
from handlers.cart.stores.cart_store import CART_ITEM, QUANTITY_PREFIX
from handlers.cart.stores.database import apply_schema
from handlers.cart.stores.order_store import set_stock
from handlers.shared import env
from handlers.shared.catalog import CACHE_PREFIX
from handlers.shared.tables import CARTS, CATALOG, IDEMPOTENCY
from local.cognito import LocalUserPool
from local.lambda_runtime import LambdaContext, json_api_event
from local.resources import LOCAL_REGION, TABLE_ENV_VARS, AwsEndpoints, ensure_tables
from local.servers import DynamoDBLocal, MotoServer, PostgresServer, RedisServer

REPO = Path(__file__).resolve().parents[2]
SKU = "BENCH-1"


def catalog_item(sku: str, name: str, price_minor: int = 4999) -> dict[str, Any]:
    """A sellable catalog item in DynamoDB's wire form (a bench's one product)."""
    return {
        "sku": {"S": sku},
        "name": {"S": name},
        "description": {"S": "x"},
        "price_minor": {"N": str(price_minor)},
        "currency": {"S": "EUR"},
        "active": {"BOOL": True},
        "asset_status": {"S": "READY"},
        "manifest_key": {"S": f"assets/{sku}/h/manifest.json"},
    }


class WireCounter:
    """Counts DynamoDB requests actually sent by a client, by operation."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-send.dynamodb", self._sent)

    def _sent(self, request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        self.calls[target.split(".")[-1]] += 1

    def measure(self, action: Callable[[], Any]) -> Counter[str]:
        self.calls.clear()
        action()
        return Counter(self.calls)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def timed(action: Callable[[], Any], iterations: int) -> list[float]:
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def cold_starts(environment: dict[str, str], runs: int) -> dict[str, float]:
    """Median ms per first_request case; each round runs every case once, so machine load hits
    ours and the baseline alike. Ours runs as in Lambda: Powertools' tracer on (X-Ray SDK
    loaded, botocore patched), trace header set as the Lambda runtime sets it."""
    in_lambda = {
        **environment,
        "LAMBDA_TASK_ROOT": str(REPO),
        "AWS_LAMBDA_FUNCTION_NAME": "shop3d-cart",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
        "Sampled=0",
    }
    cases = {
        "import-boto3": environment,
        "import-app": environment,
        "import-app (Lambda)": in_lambda,
        "raw-get": environment,
        "app-get (Lambda)": in_lambda,
        "raw-add": environment,
        "app-add (Lambda)": in_lambda,
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, variables in cases.items():
            out = subprocess.run(
                [sys.executable, "-m", "bench.cart.first_request", name.split(" ")[0]],
                env=variables,
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            samples[name].append(float(out.stdout.split()[-1]))  # after the EMF metric lines
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=11)
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="save the figures to bench/cart/results.json and write them into docs/cart-service.md",
    )
    args = parser.parse_args()

    with ExitStack() as stack:
        dynamodb_server = stack.enter_context(DynamoDBLocal())
        redis_server = stack.enter_context(RedisServer())
        postgres = stack.enter_context(PostgresServer())
        moto = stack.enter_context(MotoServer())
        issuer = LocalUserPool.create(
            AwsEndpoints(moto.endpoint, dynamodb_server.endpoint).cognito_client(),
            moto.endpoint,
            LOCAL_REGION,
        )
        database_url = postgres.create_database("bench_cart")
        environment = {
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_server.endpoint,
            env.DATABASE_URL: database_url,
            env.CART_COOKIE_KEY: "b" * 48,
            **issuer.env(),
        }
        os.environ.update(environment)
        raw = boto3.client("dynamodb")
        tables = ensure_tables(raw, f"bench{uuid.uuid4().hex[:6]}-")
        for logical, name in tables.items():
            os.environ[TABLE_ENV_VARS[logical]] = name
            environment[TABLE_ENV_VARS[logical]] = name
        raw.put_item(TableName=tables[CATALOG.logical_name], Item=catalog_item(SKU, "Bench chair"))
        with psycopg.connect(database_url, autocommit=True) as conn:
            apply_schema(conn)
            set_stock(conn, SKU, 10**9)

        counts = {}
        for label, redis_url in (("no cache", None), ("redis warm", redis_server.endpoint)):
            if redis_url:
                os.environ[env.REDIS_URL] = redis_url
            with contextlib.redirect_stdout(io.StringIO()):
                counts[label] = round_trips(issuer)
        with contextlib.redirect_stdout(io.StringIO()):  # the metrics' EMF lines
            latency = latencies(issuer, raw, database_url, redis_server.endpoint, args.iterations)
        load_before = os.getloadavg()
        cold = cold_starts(
            {
                **environment,
                env.REDIS_URL: redis_server.endpoint,
                SKU_ENV: SKU,
                CACHE_KEY_ENV: CACHE_PREFIX + SKU,
                "PATH": os.environ.get("PATH", ""),
            },
            args.cold_runs,
        )
        loads = (load_before, os.getloadavg())
    results = as_results(counts, latency, cold, loads, args)
    report(results)
    if args.write_docs:
        COMMITTED.publish(results)
        print(f"\nwrote bench/cart/{RESULTS.name} and the benchmark of docs/{BLOCK.page.name}")


def as_results(
    counts: dict[str, dict[str, Counter[str]]],
    latency: dict[str, Any],
    cold: dict[str, float],
    loads: tuple[tuple[float, float, float], ...],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One run's figures as plain data (bench/cart/results.py renders them)."""
    return {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "iterations": args.iterations,
        "cold_runs": args.cold_runs,
        "round_trips": {label: {n: dict(c) for n, c in by.items()} for label, by in counts.items()},
        "latency": {
            name: {"handler": list(h), "raw": list(r), "raw_call": label}
            for name, (h, r, label) in latency.items()
        },
        "cold_ms": cold,
        "load_average_before_after": [one for one, _, _ in loads],
    }


def load_app() -> Any:
    from handlers.cart.api import lambda_entry
    from handlers.cart.settings import Settings
    from handlers.cart.wiring import Services

    lambda_entry.use_services(Services.from_settings(Settings.from_env()))
    return lambda_entry


def scenarios(app: Any, token: str) -> dict[str, Callable[[], Any]]:
    """Each endpoint as a zero-argument call; add uses a new Idempotency-Key every time."""
    context = LambdaContext()

    def call(method: str, path: str, body: Any = None, key: bool = False) -> Any:
        event = json_api_event(
            method, path, body, token=token, idempotency_key=uuid.uuid4().hex if key else None
        )
        response = app.lambda_handler(event, context)
        assert response["statusCode"] < 300, response
        return response

    return {
        "GET /api/cart": lambda: call("GET", "/api/cart"),
        "POST /api/cart/items": lambda: call(
            "POST", "/api/cart/items", {"sku": SKU, "quantity": 1}, key=True
        ),
        "PUT /api/cart/items/{sku}": lambda: call(
            "PUT", f"/api/cart/items/{SKU}", {"quantity": 2}, key=True
        ),
        "DELETE /api/cart/items/{sku}": lambda: call("DELETE", f"/api/cart/items/{SKU}", key=True),
        "GET /api/products/{sku}": lambda: call("GET", f"/api/products/{SKU}"),
        "POST /api/checkout": lambda: call("POST", "/api/checkout", key=True),
    }


def round_trips(issuer: LocalUserPool) -> dict[str, Counter[str]]:
    app = load_app()
    counter = WireCounter(app.current_services().dynamodb)
    user = f"count-{uuid.uuid4().hex[:8]}"
    calls = scenarios(app, issuer.token(f"{user}@example.com").access_token)
    calls["GET /api/products/{sku}"]()  # warm the cache when there is one
    order = [
        "POST /api/cart/items",
        "GET /api/cart",
        "PUT /api/cart/items/{sku}",
        "DELETE /api/cart/items/{sku}",
        "GET /api/products/{sku}",
    ]
    found = {name: counter.measure(calls[name]) for name in order}
    calls["POST /api/cart/items"]()
    found["POST /api/checkout"] = counter.measure(calls["POST /api/checkout"])
    return found


class RawCalls:
    """The same DynamoDB (and Redis, PostgreSQL) requests a handler call makes, issued directly
    with boto3 / redis-py / psycopg: the floor the handler's overhead is measured against."""

    def __init__(self, raw: Any, cart_id: str, database_url: str, redis_url: str) -> None:
        self.raw = raw
        self.carts = os.environ[TABLE_ENV_VARS[CARTS.logical_name]]
        self.catalog = os.environ[TABLE_ENV_VARS[CATALOG.logical_name]]
        self.idempotency = os.environ[TABLE_ENV_VARS[IDEMPOTENCY.logical_name]]
        self.cart_id = cart_id
        self.key = {"cart_id": {"S": cart_id}, "line": {"S": CART_ITEM}}
        self.pg = psycopg.connect(database_url, autocommit=True)
        self.redis = redis.Redis.from_url(redis_url)
        self.redis.set("bench:product", json.dumps({"sku": SKU, "price_minor": 4999}))

    def read(self) -> dict[str, Any]:
        item: dict[str, Any] = self.raw.get_item(
            TableName=self.carts, Key=self.key, ConsistentRead=True
        ).get("Item", {})
        return item

    def write(self) -> None:
        """One conditional UpdateItem returning the new item, as an add, set or remove makes."""
        self.raw.update_item(
            TableName=self.carts,
            Key=self.key,
            UpdateExpression="SET expires_at = :e, #q = :q ADD version :one",
            ConditionExpression="attribute_not_exists(#q) OR #q <= :room",
            ExpressionAttributeNames={"#q": QUANTITY_PREFIX + SKU},
            ExpressionAttributeValues={
                ":e": {"N": str(int(time.time()) + 86400)},
                ":q": {"N": "1"},
                ":room": {"N": "98"},
                ":one": {"N": "1"},
            },
            ReturnValues="ALL_NEW",
        )

    def idempotent(self, work: Callable[[], Any]) -> None:
        key = {"id": {"S": uuid.uuid4().hex}}
        self.raw.put_item(
            TableName=self.idempotency,
            Item={**key, "status": {"S": "INPROGRESS"}},
            ConditionExpression="attribute_not_exists(id)",
        )
        work()
        self.raw.update_item(
            TableName=self.idempotency,
            Key=key,
            UpdateExpression="SET #s = :done, #d = :data",
            ExpressionAttributeNames={"#s": "status", "#d": "data"},
            ExpressionAttributeValues={":done": {"S": "COMPLETED"}, ":data": {"S": "{}"}},
        )

    def read_cart(self) -> None:
        self.read()
        self.redis.mget([CACHE_PREFIX + SKU])  # the line's product, as the view reads it

    def mutation(self) -> None:
        """Add or set: the product is checked (Redis), then the one cart write."""

        def work() -> None:
            self.redis.mget([CACHE_PREFIX + SKU])
            self.write()

        self.idempotent(work)

    def removal(self) -> None:
        self.idempotent(self.write)

    def product(self) -> Any:
        cached: bytes | None = self.redis.get("bench:product")  # type: ignore[assignment]
        return json.loads(cached or b"{}")

    def checkout(self) -> None:
        def work() -> None:
            item = self.read()
            self.raw.batch_get_item(
                RequestItems={self.catalog: {"Keys": [{"sku": {"S": SKU}}], "ConsistentRead": True}}
            )
            order_id = uuid.uuid4()
            with self.pg.transaction():
                self.pg.execute("SELECT 1 FROM orders WHERE cart_id = %s", (self.cart_id,))
                self.pg.execute(
                    "UPDATE inventory SET on_hand = on_hand - 1 WHERE sku = %s "
                    "AND on_hand >= 1 RETURNING on_hand",
                    (SKU,),
                )
                self.pg.execute(
                    "INSERT INTO orders (order_id, owner_key, status, currency, "
                    "total_minor, cart_id, cart_generation) VALUES "
                    "(%s, 'raw', 'PENDING_PAYMENT', 'EUR', 4999, %s, 0)",
                    (order_id, f"raw-{order_id}"),
                )
                self.pg.execute(
                    "INSERT INTO order_lines VALUES (%s, 0, %s, 'x', 1, 4999, 4999)",
                    (order_id, SKU),
                )
            # The order document the response returns, read back as the handler does.
            self.pg.execute("SELECT * FROM orders WHERE order_id = %s", (order_id,)).fetchone()
            self.pg.execute(
                "SELECT * FROM order_lines WHERE order_id = %s ORDER BY position", (order_id,)
            ).fetchall()
            self.raw.put_item(  # the cleared cart, conditioned on the version read
                TableName=self.carts,
                Item={**self.key, "version": {"N": str(int(item["version"]["N"]) + 1)}},
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": item["version"]},
            )

        self.idempotent(work)


def latencies(issuer: LocalUserPool, raw: Any, database_url: str, redis_url: str, iterations: int):
    app = load_app()
    user = f"lat-{uuid.uuid4().hex[:8]}"
    calls = scenarios(app, issuer.token(f"{user}@example.com").access_token)
    base = RawCalls(raw, f"raw#{user}", database_url, redis_url)
    base.write()
    samples: dict[str, tuple[list[float], list[float], str]] = {}

    def sample(name: str, handler: Callable[[], Any], floor: Callable[[], Any], label: str):
        handler_times, raw_times, _ = samples.setdefault(name, ([], [], label))
        handler_times.extend(timed(handler, 1))
        raw_times.extend(timed(floor, 1))

    mutation = "PutItem, UpdateItem, UpdateItem + Redis MGET"
    for _ in range(iterations):  # interleaved so load drift hits handler and raw alike
        sample("POST /api/cart/items", calls["POST /api/cart/items"], base.mutation, mutation)
        sample("GET /api/cart", calls["GET /api/cart"], base.read_cart, "GetItem + Redis MGET")
        sample(
            "PUT /api/cart/items/{sku}", calls["PUT /api/cart/items/{sku}"], base.mutation, mutation
        )
        sample(
            "DELETE /api/cart/items/{sku}",
            calls["DELETE /api/cart/items/{sku}"],
            base.removal,
            "PutItem, UpdateItem, UpdateItem",
        )
        sample(
            "GET /api/products/{sku}",
            calls["GET /api/products/{sku}"],
            base.product,
            "Redis GET + json",
        )
    for _ in range(max(10, iterations // 4)):
        calls["POST /api/cart/items"]()
        sample(
            "POST /api/checkout",
            calls["POST /api/checkout"],
            base.checkout,
            "same DynamoDB calls + same SQL (transaction, order read back)",
        )
    return {
        name: (percentiles(h), percentiles(r), label) for name, (h, r, label) in samples.items()
    }


def report(results: dict[str, Any]) -> None:
    """The printed report of one run (bench/cart/results.py renders the same for the docs)."""
    counts, cold = results["round_trips"], results["cold_ms"]
    print("\nDynamoDB round trips per request (counted on the wire)")
    print(f"{'endpoint':32} {'no cache':>44} {'redis warm':>44}")
    for name in counts["no cache"]:
        cells = [
            ", ".join(f"{op} {n}" for op, n in sorted(counts[c][name].items())) or "-"
            for c in ("no cache", "redis warm")
        ]
        totals = [sum(counts[c][name].values()) for c in ("no cache", "redis warm")]
        print(f"{name:32} {f'{totals[0]}: {cells[0]}':>44} {f'{totals[1]}: {cells[1]}':>44}")
    iterations = results["iterations"]
    print(
        f"\nLatency, ms, {iterations} calls each (checkout: {max(10, iterations // 4)});"
        " handler = lambda_handler on an ALB event with a verified RS256 token and an"
        " Idempotency-Key on mutations, Redis warm; raw = the same requests made directly"
    )
    print(
        f"{'endpoint':32} {'handler p50':>11} {'p99':>7} {'raw p50':>8} {'p99':>7}"
        f" {'p50 ratio':>9}  raw boto3 call"
    )
    for name, row in results["latency"].items():
        (h50, h99), (r50, r99) = row["handler"], row["raw"]
        print(
            f"{name:32} {h50:11.2f} {h99:7.2f} {r50:8.2f} {r99:7.2f} {h50 / r50:8.2f}x"
            f"  {row['raw_call']}"
        )
    load = ", ".join(f"{one:.1f}" for one in results["load_average_before_after"])
    print(
        f"\nCold start, ms, median of {results['cold_runs']} fresh interpreters per row, rows"
        f" alternating; 1-minute load average {load} (before, after)"
    )
    boto3_import = cold["import-boto3"]
    for name in ("import-app", "import-app (Lambda)"):
        print(
            f"{'import handlers.cart.api.lambda_entry' + name[len('import-app') :]:40} {cold[name]:7.0f}"
            f"  {cold[name] / boto3_import:5.2f}x import boto3 ({boto3_import:.0f})"
        )
    for ours, raw, what in (
        ("app-get (Lambda)", "raw-get", "GET /api/cart, new guest"),
        ("app-add (Lambda)", "raw-add", "POST /api/cart/items, new guest, Idempotency-Key"),
    ):
        print(
            f"{'import + first ' + what:40} {cold[ours]:7.0f}  {cold[ours] / cold[raw]:5.2f}x"
            f" raw boto3 import + client + same calls ({cold[raw]:.0f})"
        )


if __name__ == "__main__":
    main()
