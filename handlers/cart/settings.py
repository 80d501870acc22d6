"""The cart service's configuration, read once from the environment (handlers.shared.env names).

There is no local mode: locally the same variables point at DynamoDB Local, PostgreSQL, Redis and
a user pool in moto's Cognito; in AWS at the global tables, Aurora, ElastiCache and Cognito.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from handlers.shared import env
from handlers.shared.stripe_js import STRIPE_JS_URL


@dataclass(frozen=True)
class TrustedIssuer:
    """The Cognito user pool (issuer and JWKS URL) and the app client whose tokens are accepted."""

    issuer: str
    jwks_url: str
    client_id: str


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; the message names the variable."""


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is required by the cart service")
    return value


def _optional(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


@dataclass(frozen=True)
class DatabaseUrl:
    """A libpq URL with its credentials (locally: PostgreSQL, as the cart's role or another)."""

    url: str


@dataclass(frozen=True)
class DatabaseIam:
    """IAM database authentication (the cart in AWS): a token signed per connection."""

    host: str
    port: int
    dbname: str
    user: str
    region: str


@dataclass(frozen=True)
class DatabaseSecret:
    """Credentials in a Secrets Manager secret (the master user, for the schema step only);
    `host` replaces the secret's host (the region's own cluster endpoint)."""

    arn: str
    host: str | None


DatabaseAccess = DatabaseUrl | DatabaseIam | DatabaseSecret
_ACCESS_VARIABLES = (env.DATABASE_URL, env.DATABASE_IAM_USER, env.DATABASE_SECRET_ARN)
_MAX_PORT = 65535


def _port(environ: Mapping[str, str]) -> int:
    text = _optional(environ, env.DATABASE_PORT) or "5432"
    if not text.isdigit() or not 1 <= int(text) <= _MAX_PORT:
        raise ConfigError(
            f"{env.DATABASE_PORT} must be a port number from 1 to {_MAX_PORT}, not {text!r}"
        )
    return int(text)


def database_access(environ: Mapping[str, str], region: str) -> DatabaseAccess | None:
    """How to reach PostgreSQL: exactly one of DATABASE_URL, DATABASE_IAM_USER (with
    DATABASE_HOST and DATABASE_NAME) or DATABASE_SECRET_ARN; None when none is set."""
    chosen = [name for name in _ACCESS_VARIABLES if _optional(environ, name)]
    if len(chosen) > 1:
        raise ConfigError(
            f"set only one of {', '.join(_ACCESS_VARIABLES)}; got {', '.join(chosen)}"
        )
    if not chosen:
        return None
    if chosen[0] == env.DATABASE_URL:
        return DatabaseUrl(_required(environ, env.DATABASE_URL))
    if chosen[0] == env.DATABASE_IAM_USER:
        return DatabaseIam(
            host=_required(environ, env.DATABASE_HOST),
            port=_port(environ),
            dbname=_required(environ, env.DATABASE_NAME),
            user=_required(environ, env.DATABASE_IAM_USER),
            region=region,
        )
    return DatabaseSecret(
        _required(environ, env.DATABASE_SECRET_ARN), _optional(environ, env.DATABASE_HOST)
    )


DEFAULT_RESERVATION_MINUTES: Final = 30
# Stripe's PaymentIntent stays confirmable for far longer; a day bounds how long stock is held.
MAX_RESERVATION_MINUTES: Final = 1440


def reservation_minutes(environ: Mapping[str, str]) -> int:
    text = _optional(environ, env.RESERVATION_MINUTES) or str(DEFAULT_RESERVATION_MINUTES)
    if not text.isdigit() or not 1 <= int(text) <= MAX_RESERVATION_MINUTES:
        raise ConfigError(
            f"{env.RESERVATION_MINUTES} must be whole minutes from 1 to"
            f" {MAX_RESERVATION_MINUTES}, not {text!r}"
        )
    return int(text)


def region_from_env(environ: Mapping[str, str]) -> str:
    """The region this copy runs in: HOME_REGION, else the Lambda runtime's AWS_REGION."""
    return (
        _optional(environ, env.HOME_REGION)
        or _optional(environ, "AWS_REGION")
        or _required(environ, "AWS_DEFAULT_REGION")
    )


@dataclass(frozen=True)
class Settings:
    catalog_table: str
    carts_table: str
    idempotency_table: str
    region: str
    sessions_table: str | None  # None: no accounts (sign-in through bearer tokens only)
    database: DatabaseAccess | None  # None: checkout and order reads answer a config error
    search_database_host: str | None  # the reader endpoint (IAM access only), else the writer
    redis_url: str | None
    redis_auth_secret_arn: str | None
    trusted_issuer: TrustedIssuer | None  # None: sign-in is not configured, guests only
    cookie_key: str | None
    cookie_secret_arn: str | None
    stripe_secret_arn: str | None = None  # None: orders are placed without a payment
    stripe_api_base: str | None = None
    stripe_js_url: str = STRIPE_JS_URL  # what the storefront loads (locally localstripe's)
    reservation_minutes: int = DEFAULT_RESERVATION_MINUTES
    event_bus_name: str | None = None  # None: outbox rows wait for a relay that has a bus
    uploads_bucket: str | None = None  # None: the admin API signs no model uploads

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        issuer = _optional(environ, env.AUTH_ISSUER)
        trusted = None
        if issuer is not None:
            trusted = TrustedIssuer(
                issuer=issuer,
                jwks_url=_required(environ, env.AUTH_JWKS_URL),
                client_id=_required(environ, env.AUTH_CLIENT_ID),
            )
        region = region_from_env(environ)
        settings = cls(
            catalog_table=_required(environ, env.CATALOG_TABLE),
            carts_table=_required(environ, env.CARTS_TABLE),
            idempotency_table=_required(environ, env.IDEMPOTENCY_TABLE),
            region=region,
            sessions_table=_optional(environ, env.SESSIONS_TABLE),
            database=database_access(environ, region),
            search_database_host=_optional(environ, env.SEARCH_DATABASE_HOST),
            redis_url=_optional(environ, env.REDIS_URL),
            redis_auth_secret_arn=_optional(environ, env.REDIS_AUTH_SECRET_ARN),
            trusted_issuer=trusted,
            cookie_key=_optional(environ, env.CART_COOKIE_KEY),
            cookie_secret_arn=_optional(environ, env.CART_COOKIE_SECRET_ARN),
            stripe_secret_arn=_optional(environ, env.STRIPE_SECRET_ARN),
            stripe_api_base=_optional(environ, env.STRIPE_API_BASE),
            stripe_js_url=_optional(environ, env.STRIPE_JS_URL) or STRIPE_JS_URL,
            reservation_minutes=reservation_minutes(environ),
            event_bus_name=_optional(environ, env.EVENT_BUS_NAME),
            uploads_bucket=_optional(environ, env.UPLOADS_BUCKET),
        )
        if settings.cookie_key is None and settings.cookie_secret_arn is None:
            raise ConfigError(f"set {env.CART_COOKIE_SECRET_ARN} (AWS) or {env.CART_COOKIE_KEY}")
        return settings


def search_access(settings: Settings) -> DatabaseAccess | None:
    """Where search reads: the reader endpoint when one is set (IAM access in AWS), else the
    same database as checkout."""
    access = settings.database
    if isinstance(access, DatabaseIam) and settings.search_database_host is not None:
        return dataclasses.replace(access, host=settings.search_database_host)
    return access


def libpq_url(user: str, password: str, host: str, port: int | str, dbname: str) -> str:
    """A TLS-required libpq URL; user, password and database name escaped."""
    return (
        f"postgresql://{quote(str(user), safe='')}:{quote(str(password), safe='')}"
        f"@{host}:{port}/{quote(str(dbname), safe='')}?sslmode=require"
    )


def database_url_from_secret(secret: Mapping[str, Any], host: str | None = None) -> str:
    """A libpq URL from an RDS/Aurora secret (username, password, host, port, dbname); `host`
    replaces the secret's host (the region's own cluster endpoint)."""
    try:
        user, password = secret["username"], secret["password"]
        host = host or secret["host"]
    except KeyError as missing:
        raise ConfigError(f"the database secret lacks the {missing} field") from None
    return libpq_url(
        user, password, str(host), secret.get("port", 5432), secret.get("dbname", "postgres")
    )


def read_secret(client: Any, arn: str) -> str:
    """The SecretString of a Secrets Manager secret."""
    value: str = client.get_secret_value(SecretId=arn)["SecretString"]
    return value


def parse_json_secret(text: str, arn: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError(f"secret {arn} is not a JSON document") from None
    if not isinstance(document, dict):
        raise ConfigError(f"secret {arn} is not a JSON object")
    return document
