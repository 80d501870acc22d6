"""Cart fixtures on top of the shared ones (tests/conftest.py): a user pool in moto's Cognito
(the tokens' issuer), the cart service's environment, catalog/stock seeding, and ALB events
into the real lambda_handler."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
import psycopg
import pytest
import redis

from handlers.cart.api import lambda_entry
from handlers.cart.settings import Settings
from handlers.cart.stores.credentials import FixedUrl
from handlers.cart.stores.database import (
    Connections,
    apply_schema,
    set_cart_role_password,
    url_as_cart_role,
)
from handlers.cart.stores.order_store import set_stock
from handlers.cart.wiring import Services
from handlers.shared import env
from handlers.shared.deploy_events import SEARCH_PROJECTION_ROLE
from handlers.shared.tables import CATALOG
from local.cognito import LocalUserPool
from local.lambda_runtime import LambdaContext, alb_event
from local.resources import (
    LOCAL_REGION,
    TABLE_ENV_VARS,
    AwsEndpoints,
    delete_tables,
    ensure_secret,
    ensure_tables,
    stripe_secret_value,
)
from local.search_stream import CatalogStream
from local.servers import LocalStripe
from tests.conftest import unique_prefix

COOKIE_KEY = "k" * 48


@pytest.fixture(scope="session")
def issuer(moto_endpoint: str, dynamodb_endpoint: str) -> Iterator[LocalUserPool]:
    """A user pool and app client in moto's Cognito: its tokens are the ones signed-in
    requests carry (`issuer.token(email).access_token`)."""
    client = AwsEndpoints(moto=moto_endpoint, dynamodb=dynamodb_endpoint).cognito_client()
    pool = LocalUserPool.create(client, moto_endpoint, LOCAL_REGION, unique_prefix("shoppers"))
    yield pool
    pool.delete()


CART_ROLE_PASSWORD = "cart-role-test-password"
WEBHOOK_SECRET = "whsec_shop3d_cart_tests"


@dataclass(frozen=True)
class CartWorld:
    tables: dict[str, str]
    database_url: str  # the superuser: seeding stock, reading back, the schema step
    cart_database_url: str  # what the service gets: its own least-privilege role
    redis_url: str
    stripe: LocalStripe
    stripe_secret_arn: str


@pytest.fixture(scope="module")
def cart_world(
    dynamodb_endpoint, moto_endpoint, postgres_server, redis_url, issuer, localstripe
) -> Iterator[CartWorld]:
    """Tables, a database and the service's environment, shared by one test module (creating
    tables per test costs ~1 s on DynamoDB Local). Tests stay independent because every cart
    is keyed by its owner: each test uses its own guests, users and SKUs. The service signs in
    as the cart's role, so every checkout and order read proves its grants suffice."""
    endpoints = AwsEndpoints(moto=moto_endpoint, dynamodb=dynamodb_endpoint)
    dynamodb = endpoints.dynamodb_client()
    database = f"cart_{uuid.uuid4().hex[:12]}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in endpoints.environment().items():
            patch.setenv(name, value)
        tables = ensure_tables(dynamodb, unique_prefix("cart"))
        for logical, table in tables.items():
            patch.setenv(TABLE_ENV_VARS[logical], table)
        database_url = postgres_server.create_database(database)
        with psycopg.connect(database_url, autocommit=True) as conn:
            apply_schema(conn)
            set_cart_role_password(conn, CART_ROLE_PASSWORD)
        cart_database_url = url_as_cart_role(database_url, CART_ROLE_PASSWORD)
        # The Stripe keys live in (moto's) Secrets Manager, as in AWS; the SDK talks to
        # localstripe through its base URL.
        stripe_secret_arn = ensure_secret(
            endpoints,
            f"{unique_prefix('stripe')}keys",
            stripe_secret_value(
                LocalStripe.SECRET_KEY, LocalStripe.PUBLISHABLE_KEY, WEBHOOK_SECRET
            ),
        )
        settings = {
            env.DATABASE_URL: cart_database_url,
            env.REDIS_URL: redis_url,
            env.CART_COOKIE_KEY: COOKIE_KEY,
            env.STRIPE_SECRET_ARN: stripe_secret_arn,
            env.STRIPE_API_BASE: localstripe.endpoint,
            env.STRIPE_JS_URL: localstripe.js_url,
            **issuer.env(),
        }
        for name, value in settings.items():
            patch.setenv(name, value)
        yield CartWorld(
            tables, database_url, cart_database_url, redis_url, localstripe, stripe_secret_arn
        )
        delete_tables(dynamodb, tables.values())
        postgres_server.drop_database(database)


PROJECTION_PASSWORD = "search-projection-test-password"


@pytest.fixture(scope="module")
def catalog_stream(cart_world: CartWorld) -> Iterator[CatalogStream]:
    """The catalog stream's poller (local/search_stream.py), projecting as the projection's own
    role: tests drain() it, or start() it to project in the background as the platform does."""
    with psycopg.connect(cart_world.database_url, autocommit=True) as conn:
        set_cart_role_password(conn, PROJECTION_PASSWORD, SEARCH_PROJECTION_ROLE)
    url = url_as_cart_role(cart_world.database_url, PROJECTION_PASSWORD, SEARCH_PROJECTION_ROLE)
    stream = CatalogStream(
        boto3.client("dynamodb"),
        boto3.client("dynamodbstreams"),
        cart_world.tables[CATALOG.logical_name],
        Connections(FixedUrl(url)),
    )
    yield stream
    stream.stop()


@pytest.fixture
def cart_env(cart_world: CartWorld) -> CartWorld:
    """Per test: an empty catalog cache, so a product a test writes is the one it reads."""
    redis.Redis.from_url(cart_world.redis_url).flushdb()
    return cart_world


@pytest.fixture
def services(cart_env) -> Services:
    return Services.from_settings(Settings.from_env())


@dataclass
class Shop:
    """Seeds the catalog table and the inventory, and reads stock back."""

    catalog_table: str
    database_url: str

    def product(
        self,
        sku: str,
        price_minor: int = 1999,
        *,
        active: bool = True,
        stock: int | None = 100,
        **extra: Any,
    ):
        """Write the catalog item; a SKU with no inventory row yet gets `stock` units (None:
        none, so it is sold out)."""
        item = {
            "sku": sku,
            "name": f"Product {sku}",
            "description": f"A {sku} to turn in 3D",
            "price_minor": Decimal(price_minor),
            "currency": "EUR",
            "active": active,
            "asset_status": "READY",
            "manifest_key": f"assets/{sku}/abc123/manifest.json",
            **extra,
        }
        boto3.resource("dynamodb").Table(self.catalog_table).put_item(Item=item)
        if stock is not None and self.stock(sku) is None:
            self.stock(sku, stock)
        return item

    def stock(self, sku: str, on_hand: int | None = None) -> int | None:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            if on_hand is not None:
                set_stock(conn, sku, on_hand)
            row = conn.execute("SELECT on_hand FROM inventory WHERE sku = %s", (sku,)).fetchone()
            return None if row is None else int(row[0])

    def count_orders(self, sku: str) -> int:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(DISTINCT order_id) FROM order_lines WHERE sku = %s", (sku,)
            ).fetchone()
            assert row is not None
            return int(row[0])


@pytest.fixture
def shop(cart_env) -> Shop:
    return Shop(cart_env.tables[CATALOG.logical_name], cart_env.database_url)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def cookie(self) -> str | None:
        """The shop3d_cart value this reply sets, if any."""
        header = self.headers.get("Set-Cookie", "")
        name, _, rest = header.partition("=")
        return rest.split(";", 1)[0] if name == "shop3d_cart" else None


class Client:
    """Sends ALB events (the shape the ALB gives Lambda) to the real lambda_handler."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        cookie: str | None = None,
        headers: dict[str, str] | None = None,
        raw: str | bytes | None = None,
        query: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        if cookie is not None:
            sent["cookie"] = f"shop3d_cart={cookie}"
        payload = raw if raw is not None else ("" if body is None else json.dumps(body))
        event = alb_event(
            method,
            path,
            headers={"host": "shop.example", "content-type": "application/json", **sent},
            body=payload,
            query=query,
            binary=isinstance(payload, bytes),
        )
        response = self.module.lambda_handler(event, LambdaContext())
        text = response.get("body") or ""
        return Reply(
            response["statusCode"], response.get("headers", {}), json.loads(text) if text else None
        )


@pytest.fixture(scope="module")
def _lambda_module(cart_world) -> Any:
    """The Lambda module, handed collaborators built from this test module's environment."""
    lambda_entry.use_services(Services.from_settings(Settings.from_env()))
    return lambda_entry


@pytest.fixture
def client(_lambda_module, cart_env) -> Client:
    return Client(_lambda_module)


# -- the local HTTP front over this module's cart environment --------------------------------
SITE_READ_TIMEOUT_S = 1  # the test server's; the platform's is local.site_server.READ_TIMEOUT_S
ASSET_KEY = "assets/FRAME-1/abc/preview.glb"
ASSET = bytes(range(256)) * 4


@dataclass(frozen=True)
class SiteAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


@pytest.fixture(scope="module")
def site_server(
    cart_world, moto_endpoint, dynamodb_endpoint, tmp_path_factory
) -> Iterator[SiteAddress]:
    """The platform's site server (Hypercorn) with the cart handler in two worker processes,
    a small storefront and one asset in moto's S3."""
    from local.cart_pool import CartPool
    from local.site_app import Site
    from local.site_server import SiteServer

    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<html>shop3d</html>", encoding="utf-8")
    (dist / "app.js").write_text("console.log('x');" * 50, encoding="utf-8")
    s3 = AwsEndpoints(moto=moto_endpoint, dynamodb=dynamodb_endpoint).s3_client()
    bucket = unique_prefix("site").rstrip("-")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=ASSET_KEY, Body=ASSET, ContentType="model/gltf-binary")
    pool = CartPool(2)  # spawned now: inherits the module's cart environment
    pool.warm()
    server = SiteServer("127.0.0.1", 0, read_timeout_s=SITE_READ_TIMEOUT_S)
    server.serve(Site(dist, s3, bucket, pool.invoke))
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    yield SiteAddress(host, int(port))
    server.stop()
    pool.stop()
