"""The cart service's configuration, read once from the environment (handlers.shared.env names).

There is no local mode: locally the same variables point at DynamoDB Local, PostgreSQL, Redis and
the local token issuer; in AWS at the global tables, Aurora, ElastiCache and Cognito.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from handlers.shared import env


@dataclass(frozen=True)
class TrustedIssuer:
    """The token issuer (Cognito user pool, or the local issuer) and the app client it serves."""

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
class Settings:
    catalog_table: str
    carts_table: str
    idempotency_table: str
    region: str
    database_url: str | None
    database_secret_arn: str | None
    database_host: str | None
    redis_url: str | None
    redis_auth_secret_arn: str | None
    trusted_issuer: TrustedIssuer | None  # None: sign-in is not configured, guests only
    cookie_key: str | None
    cookie_secret_arn: str | None

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
        settings = cls(
            catalog_table=_required(environ, env.CATALOG_TABLE),
            carts_table=_required(environ, env.CARTS_TABLE),
            idempotency_table=_required(environ, env.IDEMPOTENCY_TABLE),
            region=_optional(environ, env.HOME_REGION)
            or _optional(environ, "AWS_REGION")
            or _required(environ, "AWS_DEFAULT_REGION"),
            database_url=_optional(environ, env.DATABASE_URL),
            database_secret_arn=_optional(environ, env.DATABASE_SECRET_ARN),
            database_host=_optional(environ, env.DATABASE_HOST),
            redis_url=_optional(environ, env.REDIS_URL),
            redis_auth_secret_arn=_optional(environ, env.REDIS_AUTH_SECRET_ARN),
            trusted_issuer=trusted,
            cookie_key=_optional(environ, env.CART_COOKIE_KEY),
            cookie_secret_arn=_optional(environ, env.CART_COOKIE_SECRET_ARN),
        )
        if settings.cookie_key is None and settings.cookie_secret_arn is None:
            raise ConfigError(f"set {env.CART_COOKIE_SECRET_ARN} (AWS) or {env.CART_COOKIE_KEY}")
        return settings


def database_url_from_secret(secret: Mapping[str, Any], host: str | None = None) -> str:
    """A libpq URL from an RDS/Aurora secret (username, password, host, port, dbname); `host`
    replaces the secret's host (the region's own cluster endpoint)."""
    try:
        user, password = secret["username"], secret["password"]
        host = host or secret["host"]
    except KeyError as missing:
        raise ConfigError(f"the database secret lacks the {missing} field") from None
    port = secret.get("port", 5432)
    dbname = secret.get("dbname", "postgres")
    return (
        f"postgresql://{quote(str(user), safe='')}:{quote(str(password), safe='')}"
        f"@{host}:{port}/{quote(str(dbname), safe='')}?sslmode=require"
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
