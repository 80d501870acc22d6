"""The admin product API against DynamoDB Local, moto (S3, Cognito) and PostgreSQL, through the
real cart lambda_handler with ALB events. Reuses the cart's world (tables, database as the
cart's role, Redis) with moto's Cognito as the token issuer and an uploads bucket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handlers.cart.api import lambda_entry
from handlers.cart.settings import Settings
from handlers.cart.wiring import Services
from handlers.shared import env
from local.resources import AwsEndpoints, delete_bucket, ensure_buckets
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
