"""The local platform: shop3d's services on one machine, against real local servers.

Start-up, in order: the storefront build (when stale) -> DynamoDB Local, PostgreSQL, Redis
(state kept in the state dir) and moto's S3/SQS/Cognito (in memory) -> the user pool -> tables,
buckets and the upload queue (local.resources) -> the services' environment -> the saved assets
put back into the assets bucket -> the sample catalog (products, stock, and each model through
uploads -> S3 notification -> SQS -> the asset Lambda handler) -> the site on one origin ->
localstripe's webhook pointed at the site's /api/payments/webhook -> the order jobs timer
(reservation expiry and the outbox relay to moto's EventBridge bus) -> the order e-mails (the
bus rule's queue pumped into the notifications handler, sending through moto's SES).

Handlers are configured only through environment variables (handlers.shared.env and the
standard AWS ones), exactly as the cells configure the Lambdas: no code branch knows it is
local. The cart service trusts the user pool in moto's Cognito because SHOP3D_AUTH_* name it
(its issuer, its JWKS URL on moto's server and its app client), as a cell names the real pool.
"""

from __future__ import annotations

import importlib
import os
import secrets
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

import boto3
import psycopg
import redis
from psycopg import sql

from handlers.asset.catalog import Catalog
from handlers.asset.posters.job import PosterJob
from handlers.cart.stores.credentials import FixedUrl
from handlers.cart.stores.database import (
    Connections,
    apply_schema,
    set_cart_role_password,
    url_as_cart_role,
)
from handlers.pages.app import pages_from_env
from handlers.shared import env
from handlers.shared.deploy_events import SEARCH_PROJECTION_ROLE
from handlers.shared.routes import WEBHOOK_PATH
from handlers.shared.tables import CATALOG
from local import assets_copy, storefront_build
from local.cart_pool import DEFAULT_WORKERS, CartPool
from local.catalog_file import DEFAULT_CATALOG, load_catalog
from local.catalog_loader import (
    seed_stock,
    upload_missing_models,
    wait_for_assets,
    write_products,
)
from local.cognito import LocalUserPool
from local.lambda_runtime import notifications_context
from local.order_jobs import OrderJobsTimer
from local.order_mail import ensure_order_mail
from local.posters import PosterBackfill
from local.progress import Progress
from local.resources import (
    ASSETS,
    AwsEndpoints,
    LocalResources,
    ensure_resources,
    ensure_secret,
    stripe_secret_value,
)
from local.search_stream import CatalogStream
from local.servers import (
    LOOPBACK,
    DynamoDBLocal,
    LocalServer,
    LocalStripe,
    MotoServer,
    PostgresServer,
    RedisServer,
)
from local.site_app import Site
from local.site_server import SiteServer
from local.state import DEFAULT_STATE_DIR, StateDir
from local.upload_events import UploadEventPump

_S = TypeVar("_S", bound=LocalServer)
RESOURCE_PREFIX: Final = "shop3d-local-"
DATABASE: Final = "shop3d"
DEFAULT_PORT: Final = 8080
# Handlers log JSON per request and emit metrics to stdout in Lambda: locally only warnings,
# no metrics documents, no X-Ray.
QUIET_POWERTOOLS: Final = {
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@dataclass(frozen=True)
class PlatformOptions:
    state_dir: Path = DEFAULT_STATE_DIR
    catalog: Path = DEFAULT_CATALOG
    host: str = LOOPBACK
    port: int = DEFAULT_PORT  # 0: any free port
    dist_dir: Path = field(default_factory=lambda: storefront_build.STOREFRONT / "dist")
    asset_timeout_s: float = 600.0
    log_requests: bool = False
    cart_workers: int = DEFAULT_WORKERS  # processes serving the cart, like Lambda containers


class PlatformError(RuntimeError):
    """The platform cannot run: the message says what failed and what to do."""


class Platform:
    """start() brings everything up (stopping what it started if a step fails); stop() ends it."""

    def __init__(self, options: PlatformOptions, progress: Progress | None = None) -> None:
        self.options = options
        self.progress = progress or Progress()
        self._stack = ExitStack()
        self._served: SiteServer | None = None
        self.pump: UploadEventPump | None = None
        self.posters: PosterBackfill | None = None
        self.jobs: OrderJobsTimer | None = None
        self.mail: UploadEventPump | None = None
        self.database_url = ""
        self.search_stream: CatalogStream | None = None

    @property
    def url(self) -> str:
        if self._served is None:
            raise RuntimeError("the platform is not started")
        return self._served.url

    def start(self) -> Platform:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._stack.close()

    def check(self) -> None:
        """Raise PlatformError if a background part (the upload event pump, the site) failed."""
        if self.pump is not None and self.pump.error is not None:
            raise PlatformError(f"the upload event pump stopped: {self.pump.error!r}")
        if self.mail is not None and self.mail.error is not None:
            raise PlatformError(f"the order e-mail pump stopped: {self.mail.error!r}")
        if self._served is not None and self._served.error is not None:
            raise PlatformError(f"the site server stopped: {self._served.error!r}")
        if self.jobs is not None and self.jobs.error is not None:
            self.progress.line(f"the order jobs failed (retried next tick): {self.jobs.error!r}")

    def _start(self) -> None:
        options, step = self.options, self.progress.step
        catalog, models_dir = load_catalog(options.catalog)
        state = StateDir(options.state_dir).prepare()
        self.progress.line(f"state dir {state.root} (delete it to start afresh)")
        if options.dist_dir == storefront_build.STOREFRONT / "dist" and storefront_build.is_stale():
            with step("building the storefront (npm run build)"):
                storefront_build.build()
        if not (options.dist_dir / "index.html").is_file():
            raise PlatformError(f"{options.dist_dir}/index.html is missing: build the storefront")

        def started(what: str, server: _S) -> _S:
            with step(f"starting {what}") as details:
                self._stack.enter_context(server)
                details.append(server.endpoint)
            return server

        try:
            site = SiteServer(options.host, options.port, options.log_requests)
        except OSError as error:
            raise PlatformError(str(error)) from error
        self._stack.callback(site.stop)
        self._served = site

        logs = state.logs
        dynamodb = started(
            "DynamoDB Local",
            DynamoDBLocal(data_dir=state.dynamodb, log_file=logs / "dynamodb-local.log"),
        )
        postgres = started(
            "PostgreSQL", PostgresServer(data_dir=state.postgres, log_file=logs / "postgres.log")
        )
        cache = started("Redis", RedisServer(data_dir=state.redis, log_file=logs / "redis.log"))
        moto = started("moto (S3, SQS, Cognito; in memory)", MotoServer())
        stripe = started("localstripe (Stripe API; in memory)", LocalStripe())

        with step("creating tables, buckets and the upload queue") as details:
            endpoints = AwsEndpoints(moto=moto.endpoint, dynamodb=dynamodb.endpoint)
            resources = ensure_resources(endpoints, RESOURCE_PREFIX)
            # moto keeps the pool in memory: a new one (no shoppers yet) on every start.
            issuer = LocalUserPool.create(
                endpoints.cognito_client(), moto.endpoint, endpoints.region
            )
            self.database_url = _ensure_database(postgres, DATABASE)
            cart_database_url = _cart_role_url(self.database_url)
            details.append(f"prefix {RESOURCE_PREFIX}, database {DATABASE}")
            payments = _payments_environment(endpoints, stripe)
            mail = ensure_order_mail(endpoints, RESOURCE_PREFIX, payments[env.EVENT_BUS_NAME])
        os.environ.update(
            self._environment(
                endpoints, resources, cart_database_url, cache.endpoint, issuer, state.cookie_key()
            )
            | payments
            | mail.environment()
        )
        with step(f"starting {options.cart_workers} cart worker processes") as details:
            # Each worker hands the cart handler collaborators built from the environment just
            # set (the workers inherit it); the asset handler runs here, in the pump's thread.
            cart = CartPool(options.cart_workers)
            self._stack.callback(cart.stop)
            cart.warm()
            asset = importlib.import_module("handlers.asset.handler")
            asset.use_wiring(asset.AssetWiring.from_env())
            details.append("the cart handler ready in each")

        s3 = endpoints.s3_client()
        assets_bucket = resources.buckets[ASSETS]
        with step("restoring saved assets into the assets bucket") as details:
            put = assets_copy.restore(s3, assets_bucket, state.assets_copy)
            details.append(f"{put} objects")

        saving = threading.Lock()  # the pump's thread and this one both save

        table = boto3.resource("dynamodb").Table(resources.tables[CATALOG.logical_name])
        posters = PosterBackfill(PosterJob(s3, Catalog(table), assets_bucket), table)
        self.posters = posters

        def after_batch() -> None:
            posters.run()  # after publish, as the render queue's job in AWS
            save_assets()

        def save_assets() -> None:
            with saving:
                assets_copy.save(s3, assets_bucket, state.assets_copy)

        self.pump = UploadEventPump(
            endpoints.sqs_client(), resources.upload_events, asset.lambda_handler, after_batch, s3
        )
        self.pump.start()
        self._stack.callback(self.pump.stop)

        with step("projecting the catalog stream into search (the projection handler)"):
            self.search_stream = CatalogStream(
                endpoints.dynamodb_client(),
                endpoints.dynamodb_streams_client(),
                resources.tables[CATALOG.logical_name],
                Connections(FixedUrl(_projection_role_url(self.database_url))),
            ).start()
            self._stack.callback(self.search_stream.stop)

        with step(f"loading the catalog ({len(catalog.products)} products)") as details:
            write_products(table, catalog)
            seeded = seed_stock(self.database_url, catalog)
            redis.Redis.from_url(cache.endpoint).flushdb()  # only the catalog read cache
            details.append(f"stock set for {seeded} new SKUs")
        with step("publishing 3D assets through uploads -> SQS -> asset handler") as details:
            pending = upload_missing_models(s3, table, resources.buckets, catalog, models_dir)
            details.append(f"{len(pending)} uploaded, {len(catalog.products) - len(pending)} kept")
            wait_for_assets(table, pending, self.progress.line, options.asset_timeout_s, self.check)
            save_assets()
        posters.start_in_background()

        pages = pages_from_env()  # reads the environment set above, as the web tier does
        site.serve(Site(options.dist_dir, s3, assets_bucket, cart.invoke, issuer, pages))
        with step("pointing localstripe's webhook at the cart; order jobs and mail"):
            stripe.configure_webhook(
                "shop3d-local",
                site.url.rstrip("/") + WEBHOOK_PATH,  # site.url ends in "/"; "//api" is a page
                payments[_WEBHOOK_SECRET_VARIABLE],
            )
            jobs = importlib.import_module("handlers.cart.jobs_lambda")
            self.jobs = OrderJobsTimer(lambda: jobs.run_jobs(jobs.services()))
            self.jobs.start()
            self._stack.callback(self.jobs.stop)
            notifications = importlib.import_module("handlers.cart.notifications")
            self.mail = UploadEventPump(
                endpoints.sqs_client(),
                mail.queue,
                notifications.lambda_handler,
                context=notifications_context,
                name="order-mail",
            )
            self.mail.start()
            self._stack.callback(self.mail.stop)

    def _environment(
        self,
        endpoints: AwsEndpoints,
        resources: LocalResources,
        cart_database_url: str,
        redis_url: str,
        issuer: LocalUserPool,
        cookie_key: str,
    ) -> dict[str, str]:
        """What the cells set on the Lambdas, pointed at the local servers. The cart signs in
        as its own least-privilege role (a password here; an IAM auth token in AWS)."""
        return {
            **endpoints.environment(),
            **resources.environment(),
            env.DATABASE_URL: cart_database_url,
            env.REDIS_URL: redis_url,
            env.CART_COOKIE_KEY: cookie_key,
            env.HOME_REGION: endpoints.region,
            env.STOREFRONT_DIR: str(self.options.dist_dir),
            **issuer.env(),
            **QUIET_POWERTOOLS,
        }


# Not a handler variable: carried from _payments_environment to the webhook configuration.
_WEBHOOK_SECRET_VARIABLE: Final = "SHOP3D_LOCAL_STRIPE_WEBHOOK_SECRET"  # noqa: S105  # a name


def _payments_environment(endpoints: AwsEndpoints, stripe: LocalStripe) -> dict[str, str]:
    """The Stripe keys in (moto's) Secrets Manager as in AWS, a new webhook secret per start,
    the SDK pointed at localstripe, and a bus for the order events."""
    webhook_secret = f"whsec_{secrets.token_urlsafe(24)}"
    arn = ensure_secret(
        endpoints,
        f"{RESOURCE_PREFIX}stripe-keys",
        stripe_secret_value(LocalStripe.SECRET_KEY, LocalStripe.PUBLISHABLE_KEY, webhook_secret),
    )
    bus = f"{RESOURCE_PREFIX}orders"
    events = endpoints.events_client()
    if bus not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=bus)
    return {
        env.STRIPE_SECRET_ARN: arn,
        env.STRIPE_API_BASE: stripe.endpoint,
        env.STRIPE_JS_URL: stripe.js_url,
        env.EVENT_BUS_NAME: bus,
        _WEBHOOK_SECRET_VARIABLE: webhook_secret,
    }


def _cart_role_url(admin_url: str) -> str:
    """Schema, the cart's role and its grants applied as the superuser; the role gets a new
    random password on every start (nothing but this process uses it)."""
    password = secrets.token_urlsafe(24)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        apply_schema(conn)
        set_cart_role_password(conn, password)
    return url_as_cart_role(admin_url, password)


def _projection_role_url(admin_url: str) -> str:
    """The search projection's own role (created by the schema step), with a new password."""
    password = secrets.token_urlsafe(24)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        set_cart_role_password(conn, password, SEARCH_PROJECTION_ROLE)
    return url_as_cart_role(admin_url, password, SEARCH_PROJECTION_ROLE)


def _ensure_database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(server.url(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.url(name)
