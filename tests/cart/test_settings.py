"""Configuration: what is required, and secrets read from Secrets Manager (moto's server)."""

from __future__ import annotations

import json

import boto3
import pytest

from handlers.cart.settings import (
    ConfigError,
    DatabaseIam,
    Settings,
    TrustedIssuer,
    database_url_from_secret,
)
from handlers.cart.wiring import Services
from handlers.shared import env

BASE = {
    env.CATALOG_TABLE: "catalog",
    env.CARTS_TABLE: "carts",
    env.IDEMPOTENCY_TABLE: "idempotency",
    "AWS_REGION": "eu-west-1",
}


def test_missing_table_names_the_variable():
    with pytest.raises(ConfigError, match=env.CARTS_TABLE):
        Settings.from_env({**BASE, env.CARTS_TABLE: "", env.CART_COOKIE_KEY: "k" * 32})


def test_a_cookie_key_or_its_secret_is_required():
    with pytest.raises(ConfigError, match=env.CART_COOKIE_SECRET_ARN):
        Settings.from_env(BASE)


def test_issuer_without_jwks_url_is_refused():
    with pytest.raises(ConfigError, match=env.AUTH_JWKS_URL):
        Settings.from_env({**BASE, env.CART_COOKIE_KEY: "k" * 32, env.AUTH_ISSUER: "https://i"})


def test_no_issuer_means_guests_only():
    settings = Settings.from_env({**BASE, env.CART_COOKIE_KEY: "k" * 32})
    assert settings.trusted_issuer is None and settings.region == "eu-west-1"


def test_database_url_from_an_aurora_secret_escapes_the_password():
    url = database_url_from_secret(
        {
            "username": "shop",
            "password": "p@ss/word",
            "host": "db.internal",
            "port": 5432,
            "dbname": "orders",
        }
    )
    assert url == "postgresql://shop:p%40ss%2Fword@db.internal:5432/orders?sslmode=require"
    with pytest.raises(ConfigError, match="password"):
        database_url_from_secret({"username": "shop", "host": "h"})


def test_the_regions_own_cluster_replaces_the_secrets_host():
    secret = {"username": "u", "password": "p", "host": "primary.writer", "dbname": "orders"}
    url = database_url_from_secret(secret, host="orders-eu-west-1.cluster.local")
    assert url == "postgresql://u:p@orders-eu-west-1.cluster.local:5432/orders?sslmode=require"


def test_secrets_come_from_secrets_manager(aws_env, monkeypatch):
    secrets = boto3.client("secretsmanager")
    cookie_arn = secrets.create_secret(Name="cart-cookie-test", SecretString="s" * 40)["ARN"]
    db_arn = secrets.create_secret(
        Name="cart-db-test",
        SecretString=json.dumps({"username": "u", "password": "p", "host": "h", "dbname": "d"}),
    )["ARN"]
    environ = {**BASE, env.CART_COOKIE_SECRET_ARN: cookie_arn, env.DATABASE_SECRET_ARN: db_arn}
    services = Services.from_settings(Settings.from_env(environ))
    guest_id, value = services.cookies.new_value()
    assert services.cookies.guest_id(value) == guest_id
    assert services.database.conninfo() == "postgresql://u:p@h:5432/d?sslmode=require"


def test_one_way_to_the_database_at_a_time():
    both = {
        **BASE,
        env.CART_COOKIE_KEY: "k" * 32,
        env.DATABASE_URL: "postgresql://h/d",
        env.DATABASE_IAM_USER: "shop3d_cart",
    }
    with pytest.raises(
        ConfigError,
        match=f"only one of {env.DATABASE_URL}, {env.DATABASE_IAM_USER}, {env.DATABASE_SECRET_ARN}",
    ):
        Settings.from_env(both)


def test_iam_access_names_what_it_lacks():
    iam = {**BASE, env.CART_COOKIE_KEY: "k" * 32, env.DATABASE_IAM_USER: "shop3d_cart"}
    with pytest.raises(ConfigError, match=env.DATABASE_HOST):
        Settings.from_env(iam)
    with pytest.raises(ConfigError, match=env.DATABASE_NAME):
        Settings.from_env({**iam, env.DATABASE_HOST: "db.internal"})
    with pytest.raises(ConfigError, match=f"{env.DATABASE_PORT} must be a port number from 1"):
        Settings.from_env(
            {
                **iam,
                env.DATABASE_HOST: "db.internal",
                env.DATABASE_NAME: "shop3d",
                env.DATABASE_PORT: "70000",
            }
        )
    settings = Settings.from_env(
        {**iam, env.DATABASE_HOST: "db.internal", env.DATABASE_NAME: "shop3d"}
    )
    assert settings.database == DatabaseIam(
        host="db.internal", port=5432, dbname="shop3d", user="shop3d_cart", region="eu-west-1"
    )


def test_checkout_without_a_database_says_what_to_set():
    services = Services.from_settings(Settings.from_env({**BASE, env.CART_COOKIE_KEY: "k" * 32}))
    with pytest.raises(ConfigError, match=f"set {env.DATABASE_URL} .* or {env.DATABASE_IAM_USER}"):
        _ = services.database


def test_reservation_minutes_are_whole_minutes_within_a_day() -> None:
    from handlers.cart.settings import ConfigError as CartConfigError
    from handlers.cart.settings import reservation_minutes
    from handlers.shared import env as names

    assert reservation_minutes({}) == 30
    assert reservation_minutes({names.RESERVATION_MINUTES: "90"}) == 90
    for bad in ("0", "1441", "ten", "-5"):
        with pytest.raises(CartConfigError, match=names.RESERVATION_MINUTES):
            reservation_minutes({names.RESERVATION_MINUTES: bad})


def test_a_secondary_cell_calls_the_pool_in_the_region_its_issuer_names():
    settings = Settings.from_env(
        {
            **BASE,
            env.CART_COOKIE_KEY: "k" * 32,
            env.AUTH_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
            env.AUTH_JWKS_URL: "https://cognito-idp.us-east-1.amazonaws.com/x/.well-known/jwks.json",
            env.AUTH_CLIENT_ID: "client",
        }
    )
    assert settings.region == "eu-west-1"
    assert settings.trusted_issuer is not None
    assert settings.trusted_issuer.pool_region(settings.region) == "us-east-1"


@pytest.mark.parametrize("days", ["0", "3651", "7.5", "a week"])
def test_a_session_lifetime_outside_cognitos_refresh_token_range_names_the_variable(days):
    with pytest.raises(ConfigError, match=env.SESSION_DAYS):
        Settings.from_env({**BASE, env.CART_COOKIE_KEY: "k" * 32, env.SESSION_DAYS: days})


def test_sessions_last_the_configured_refresh_token_days_and_30_by_default():
    assert Settings.from_env({**BASE, env.CART_COOKIE_KEY: "k" * 32}).session_days == 30
    configured = {**BASE, env.CART_COOKIE_KEY: "k" * 32, env.SESSION_DAYS: "7"}
    assert Settings.from_env(configured).session_days == 7


def test_an_issuer_that_is_not_cognitos_keeps_the_cells_region():
    issuer = TrustedIssuer("https://issuer.example.com/pool", "https://issuer.example.com/k", "c")
    assert issuer.pool_region("eu-west-1") == "eu-west-1"
