"""The cart service's collaborators, built once per process from Settings, each on first use:
a health check makes no client, a cart read no database connection (a smaller cold start; the
benchmark reports import plus first request, so the cost that moves is counted)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config

from handlers.cart.api.guest_cookie import GuestCookie
from handlers.cart.cart_operations import CartService
from handlers.cart.settings import ConfigError, Settings, read_secret
from handlers.cart.stores.cart_store import CartStore
from handlers.cart.stores.idempotency_store import Idempotency
from handlers.shared import env
from handlers.shared.catalog import Catalog
from handlers.shared.functions import CART_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from handlers.cart.accounts.service import Accounts
    from handlers.cart.api.tokens import TokenVerifier
    from handlers.cart.payments.stripe_gateway import StripeAccount
    from handlers.cart.payments.webhook import WebhookProcessor
    from handlers.cart.search_query import SearchQuery
    from handlers.cart.stores.availability import StockLevels
    from handlers.cart.stores.credentials import CredentialSource
    from handlers.cart.stores.database import Connections
    from handlers.cart.stores.order_history import OrderHistory
    from handlers.cart.stores.order_store import Orders
    from handlers.cart.stores.product_store import ProductStore
    from handlers.cart.stores.search_store import SearchPage
    from handlers.cart.stores.upload_store import Uploads

# Short timeouts: a Lambda behind an ALB has seconds, not minutes, to answer.
# Below the cart function's own timeout (handlers/shared/functions.py), so a slow completion
# is retried (and found done) inside one invocation.
UPLOAD_COMPLETE_READ_TIMEOUT_S: Final = CART_TIMEOUT_SECONDS - 5
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

        auth: dict[str, Any] = {}
        if self.settings.redis_auth_secret_arn is not None:
            from handlers.cart.stores.cache_auth import SecretAuthToken, reauthenticating
            from handlers.cart.stores.credentials import CachedSecret

            token = CachedSecret(self._secrets, self.settings.redis_auth_secret_arn)
            auth = {
                "credential_provider": SecretAuthToken(token),
                "redis_connect_func": reauthenticating(token),
            }
        return redis.Redis.from_url(
            self.settings.redis_url,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            **auth,
        )

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.dynamodb, self.settings.catalog_table, self.redis)

    @cached_property
    def store(self) -> CartStore:
        return CartStore(self.dynamodb, self.settings.carts_table, self.settings.region)

    @cached_property
    def carts(self) -> CartService:
        return CartService(self.store, self.catalog, self.stock)

    @cached_property
    def stock(self) -> StockLevels | None:
        """Availability from the inventory, when a database is configured (connected on the
        first product page or add, not at import)."""
        if self.settings.database is None:
            return None
        from handlers.cart.stores.availability import StockLevels

        return StockLevels(self.connections)

    def _rds(self) -> Any:
        return boto3.client("rds", region_name=self.settings.region, config=_BOTO_CONFIG)

    @cached_property
    def database(self) -> CredentialSource:
        """The credentials of each new database connection (in AWS an IAM auth token)."""
        from handlers.cart.stores.credentials import credential_source

        if self.settings.database is None:
            raise ConfigError(
                f"checkout needs a database: set {env.DATABASE_URL} (locally) or"
                f" {env.DATABASE_IAM_USER} with {env.DATABASE_HOST} and {env.DATABASE_NAME}"
            )
        return credential_source(self.settings.database, self._rds, lambda: self._secrets)

    # psycopg and PyJWT/cryptography load on first use: most requests never check out, and
    # guests never send tokens, so the cold start does not pay for them.
    @cached_property
    def orders(self) -> Orders:
        from handlers.cart.stores.order_store import Orders

        return Orders(
            self.connections,
            self.store,
            self.catalog,
            reservation_minutes=self.settings.reservation_minutes,
            payments=self.payments,
        )

    @cached_property
    def connections(self) -> Connections:
        from handlers.cart.stores.database import Connections

        return Connections(self.database)

    @cached_property
    def payments(self) -> StripeAccount | None:
        """The Stripe account, its keys read on first use (one read per container)."""
        if self.settings.stripe_secret_arn is None:
            return None
        from handlers.cart.payments.stripe_gateway import StripeAccount
        from handlers.cart.stores.credentials import CachedSecret

        secret = CachedSecret(self._secrets, self.settings.stripe_secret_arn)
        return StripeAccount(
            secret, self.settings.stripe_api_base, js_url=self.settings.stripe_js_url
        )

    @cached_property
    def webhook(self) -> WebhookProcessor:
        from handlers.cart.payments.webhook import WebhookProcessor

        if self.payments is None:
            raise ConfigError(f"the payments webhook needs {env.STRIPE_SECRET_ARN}")
        return WebhookProcessor(self.connections, self.payments)

    @cached_property
    def events(self) -> Any:
        return boto3.client("events", config=_BOTO_CONFIG)

    def relay_outbox(self) -> None:
        """After a request changed an order: publish its outbox rows now (best effort: the
        scheduled job sweeps what this leaves)."""
        if self.settings.event_bus_name is None:
            return
        from handlers.cart.outbox_relay import relay

        try:
            relay(self.connections.get(), self.events, self.settings.event_bus_name)
        except Exception:  # the change is committed; the sweep retries the send
            logging.getLogger(__name__).warning("outbox relay failed", exc_info=True)

    @cached_property
    def history(self) -> OrderHistory:
        from handlers.cart.stores.order_history import OrderHistory

        return OrderHistory(self.connections)

    @cached_property
    def accounts(self) -> Accounts:
        """Sign-up/sign-in against the trusted pool's app client, sessions in their table."""
        from handlers.cart.accounts.identity import Identity
        from handlers.cart.accounts.service import Accounts
        from handlers.cart.accounts.sessions import SessionStore, session_key

        trusted, table = self.settings.trusted_issuer, self.settings.sessions_table
        if trusted is None or table is None or self.verifier is None:
            raise ConfigError(
                f"accounts need {env.AUTH_ISSUER}, {env.AUTH_CLIENT_ID} and {env.SESSIONS_TABLE}"
            )
        cognito = boto3.client("cognito-idp", region_name=self.settings.region, config=_BOTO_CONFIG)
        key = session_key(self._cookie_key())
        return Accounts(
            Identity(cognito, trusted.client_id),
            SessionStore(self.dynamodb, table, key),
            self.verifier,
        )

    @cached_property
    def _search_connections(self) -> Connections:
        from handlers.cart.settings import search_access
        from handlers.cart.stores.credentials import credential_source
        from handlers.cart.stores.database import Connections

        access = search_access(self.settings)
        if access is None:
            raise ConfigError(
                f"search needs a database: set {env.DATABASE_URL} (locally) or"
                f" {env.DATABASE_IAM_USER} with {env.SEARCH_DATABASE_HOST} (the reader endpoint)"
            )
        return Connections(credential_source(access, self._rds, lambda: self._secrets))

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of search results from this region's reader."""
        from handlers.cart.stores.search_store import search

        return search(self._search_connections.get(), query)

    @cached_property
    def verifier(self) -> TokenVerifier | None:
        from handlers.cart.api.tokens import TokenVerifier

        trusted = self.settings.trusted_issuer
        return None if trusted is None else TokenVerifier(trusted)

    def _cookie_key(self) -> bytes:
        key = self.settings.cookie_key
        if key is None:
            assert self.settings.cookie_secret_arn is not None  # Settings requires one of them
            key = read_secret(self._secrets, self.settings.cookie_secret_arn)
        return key.encode()

    @cached_property
    def cookies(self) -> GuestCookie:
        return GuestCookie(self._cookie_key())

    @cached_property
    def idempotency(self) -> Idempotency:
        return Idempotency(self.dynamodb, self.settings.idempotency_table)

    # -- the admin product API (sellers and admins) ---------------------------------------------
    @cached_property
    def products(self) -> ProductStore:
        from handlers.cart.stores.product_store import ProductStore

        table = boto3.resource("dynamodb", config=_BOTO_CONFIG).Table(self.settings.catalog_table)
        return ProductStore(table)

    @cached_property
    def uploads(self) -> Uploads | None:
        from handlers.cart.stores.upload_store import Uploads

        if self.settings.uploads_bucket is None:
            return None
        # SigV4 presigned URLs, on the region's endpoint (or AWS_ENDPOINT_URL locally). S3 may
        # take seconds to assemble a 1 GiB upload's parts: wait longer, within the cart's timeout.
        s3 = boto3.client(
            "s3",
            region_name=self.settings.region,
            config=_BOTO_CONFIG.merge(
                Config(signature_version="s3v4", read_timeout=UPLOAD_COMPLETE_READ_TIMEOUT_S)
            ),
        )
        return Uploads(s3, self.settings.uploads_bucket)

    def stock_of(self, sku: str) -> int | None:
        """The SKU's stock in PostgreSQL (None: no inventory row, or no database configured)."""
        from handlers.cart.stores.inventory_store import read_stock

        if self.settings.database is None:
            return None
        return read_stock(self.connections.get(), sku)

    def write_stock(self, sku: str, on_hand: int, catalog_version: int) -> None:
        """Stock as of a catalog version; a database failure is a 503 that says a retry of
        the same request finishes the job (the catalog write is recognised as done)."""
        import psycopg

        from handlers.cart.api.problems import Problem
        from handlers.cart.stores.inventory_store import write_stock

        try:
            write_stock(self.connections.get(), sku, on_hand, catalog_version)
        except (psycopg.OperationalError, ConfigError) as error:
            raise Problem(
                503,
                "stock-not-written",
                f"product {sku!r} was saved at version {catalog_version} but its stock was not"
                f" written ({type(error).__name__}); send the same request again to finish",
            ) from None
