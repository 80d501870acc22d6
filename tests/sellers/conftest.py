"""The admin product API against DynamoDB Local, moto (S3, Cognito) and PostgreSQL, through the
real cart lambda_handler with ALB events. Reuses the cart's world (tables, database as the
cart's role, Redis) with moto's Cognito as the token issuer and an uploads bucket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from starlette.concurrency import run_in_threadpool

from handlers.asset import handler as asset_handler
from handlers.cart.api import lambda_entry
from handlers.cart.settings import Settings
from handlers.cart.wiring import Services
from handlers.pages.app import pages_from_env
from handlers.shared import env
from local.lambda_runtime import LambdaContext
from local.resources import (
    AwsEndpoints,
    delete_bucket,
    delete_queue,
    ensure_buckets,
    ensure_queue,
    notify_queue_on_uploads,
)
from local.search_stream import CatalogStream
from local.servers import LOOPBACK, free_port
from local.site_app import Site
from local.site_server import SiteServer
from local.storefront_build import build
from local.upload_events import UploadEventPump
from tests.cart import conftest as cart_fixtures
from tests.cart.conftest import Client, Reply
from tests.conftest import unique_prefix
from tests.sellers.staff_pool import StaffPool

# The cart's fixtures, reused as they are.
cart_world = cart_fixtures.cart_world
cart_env = cart_fixtures.cart_env
catalog_stream = cart_fixtures.catalog_stream
shop = cart_fixtures.shop


@pytest.fixture(scope="module")
def endpoints(moto_endpoint: str, dynamodb_endpoint: str) -> AwsEndpoints:
    return AwsEndpoints(moto=moto_endpoint, dynamodb=dynamodb_endpoint)


@pytest.fixture(scope="module")
def issuer(endpoints: AwsEndpoints) -> StaffPool:
    """moto's Cognito in place of the cart tests' issuer: cart_world trusts what it signs."""
    return StaffPool(endpoints)


@pytest.fixture(scope="module")
def uploads_bucket(cart_world: Any, endpoints: AwsEndpoints) -> Iterator[str]:
    s3 = endpoints.s3_client()
    names = ensure_buckets(s3, unique_prefix("sel"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(env.UPLOADS_BUCKET, names["uploads"])
        yield names["uploads"]
    for name in names.values():
        delete_bucket(s3, name)


@pytest.fixture(scope="module")
def admin_module(cart_world: Any, uploads_bucket: str) -> Any:
    lambda_entry.use_services(Services.from_settings(Settings.from_env()))
    return lambda_entry


class AdminClient(Client):
    """The cart tests' client with If-Match."""

    def call(  # type: ignore[override]
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        if_match: int | str | None = None,
        query: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> Reply:
        headers = {}
        if if_match is not None:
            headers["if-match"] = f'"{if_match}"' if isinstance(if_match, int) else if_match
        return super().call(method, path, body, token=token, headers=headers, raw=raw, query=query)


@pytest.fixture(scope="module")
def seller(issuer: StaffPool) -> tuple[str, str]:
    """A seller of this module: (its sub, its access token)."""
    return issuer.seller()


@pytest.fixture
def api(admin_module: Any, cart_env: Any) -> AdminClient:
    return AdminClient(admin_module)


# -- the built storefront on the local site server, uploads fed to the asset handler ---------
@pytest.fixture
def site(
    admin_module: Any, uploads_bucket: str, cart_env: Any, catalog_stream: CatalogStream
) -> Iterator[str]:
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    assets_bucket = uploads_bucket.replace("uploads", "assets")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(env.ASSETS_BUCKET, assets_bucket)
        dist = build()
        patch.setenv(env.STOREFRONT_DIR, str(dist))
        asset_handler.use_wiring(asset_handler.AssetWiring.from_env())
        queue = ensure_queue(sqs, f"{unique_prefix('q')}uploads")
        notify_queue_on_uploads(s3, sqs, uploads_bucket, queue)
        pump = UploadEventPump(sqs, queue, asset_handler.lambda_handler, lambda: None, s3)
        pump.start()
        catalog_stream.start()  # the search rows follow the catalog, as the projection Lambda
        server = SiteServer(LOOPBACK, free_port())
        # The page renderer serves the path routes (/admin/new, /search), as on the platform.
        pages = pages_from_env()
        server.serve(Site(dist, s3, assets_bucket, _in_process_cart(), None, pages))
        try:
            yield server.url
        finally:
            server.stop()
            pump.stop()
            delete_queue(sqs, queue)


def _in_process_cart() -> Any:
    """The cart handler of this test process (bound to this module's world), one request at a
    time as one Lambda container serves them, off the event loop."""
    one_container = threading.Lock()

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        with one_container:
            reply: dict[str, Any] = lambda_entry.lambda_handler(event, LambdaContext())
            return reply

    async def cart(event: dict[str, Any]) -> dict[str, Any]:
        return await run_in_threadpool(invoke, event)

    return cart
