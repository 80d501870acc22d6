"""The cart service's collaborators, built once per process from Settings, each on first use:
a health check makes no client, a cart read no database connection (a smaller cold start; the
benchmark reports import plus first request, so the cost that moves is counted)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from handlers.cart.cart_service import CartService
from handlers.cart.carts import CartStore
from handlers.cart.catalog import Catalog
from handlers.cart.guest_cookie import GuestCookie
from handlers.cart.idempotency import Idempotency
from handlers.cart.settings import (
    ConfigError,
    Settings,
    database_url_from_secret,
    parse_json_secret,
    read_secret,
)
from handlers.shared import env

if TYPE_CHECKING:
    from handlers.cart.orders import Orders
    from handlers.cart.tokens import TokenVerifier

# Short timeouts: a Lambda behind an ALB has seconds, not minutes, to answer.
_BOTO_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})


@dataclass
class Services:
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(settings)

    @cached_property
    def dynamodb(self) -> Any:
        return boto3.client("dynamodb", config=_BOTO_CONFIG)

    @cached_property
    def _secrets(self) -> Any:
        return boto3.client("secretsmanager", config=_BOTO_CONFIG)

    @cached_property
    def redis(self) -> Any | None:
        if self.settings.redis_url is None:
            return None
        import redis  # only when a cache is configured: keeps the cold import small

        password = None
        if self.settings.redis_auth_secret_arn is not None:
            password = read_secret(self._secrets, self.settings.redis_auth_secret_arn)
        return redis.Redis.from_url(
            self.settings.redis_url,
            password=password,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
        )

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.dynamodb, self.settings.catalog_table, self.redis)

    @cached_property
    def store(self) -> CartStore:
        return CartStore(self.dynamodb, self.settings.carts_table, self.settings.region)

    @cached_property
    def carts(self) -> CartService:
        return CartService(self.store, self.catalog)

    def database_url(self) -> str:
        if self.settings.database_url is not None:
            return self.settings.database_url
        arn = self.settings.database_secret_arn
        if arn is None:
            raise ConfigError(f"set {env.DATABASE_URL} or {env.DATABASE_SECRET_ARN} for checkout")
        return database_url_from_secret(
            parse_json_secret(read_secret(self._secrets, arn), arn), self.settings.database_host
        )

    # psycopg and PyJWT/cryptography load on first use: most requests never check out, and
    # guests never send tokens, so the cold start does not pay for them.
    @cached_property
    def orders(self) -> Orders:
        from handlers.cart.database import Connections
        from handlers.cart.orders import Orders

        return Orders(Connections(self.database_url), self.store, self.catalog)

    @cached_property
    def verifier(self) -> TokenVerifier | None:
        from handlers.cart.tokens import TokenVerifier

        trusted = self.settings.trusted_issuer
        return None if trusted is None else TokenVerifier(trusted)

    @cached_property
    def cookies(self) -> GuestCookie:
        key = self.settings.cookie_key
        if key is None:
            assert self.settings.cookie_secret_arn is not None  # Settings requires one of them
            key = read_secret(self._secrets, self.settings.cookie_secret_arn)
        return GuestCookie(key.encode())

    @cached_property
    def idempotency(self) -> Idempotency:
        return Idempotency(self.dynamodb, self.settings.idempotency_table)
