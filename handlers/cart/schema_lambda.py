"""The cart-schema Lambda: `lambda_handler` applies schema.sql, the cart's role and its grants to
the region's cluster (the primary's writer), invoked by the deploy (an aws.lambda_.Invocation of
the primary cell) whenever they change.

It alone holds the master credentials (SHOP3D_DATABASE_SECRET_ARN; locally SHOP3D_DATABASE_URL
may name a superuser instead): the request-serving cart function cannot read them. The secret is
read once per container and re-read once if PostgreSQL refuses it (rotated since it was read).
"""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from handlers.cart.settings import (
    ConfigError,
    DatabaseIam,
    database_access,
    region_from_env,
)
from handlers.cart.stores.credentials import CredentialSource, credential_source
from handlers.cart.stores.database import apply_schema, connect
from handlers.shared import env
from handlers.shared.deploy_events import APPLY_SCHEMA_EVENT_KEY, cart_schema_sha256

logger = Logger(service="cart-schema")


@functools.cache
def _master_credentials() -> CredentialSource:
    region = region_from_env(os.environ)
    access = database_access(os.environ, region)
    if access is None or isinstance(access, DatabaseIam):
        raise ConfigError(
            f"the schema step creates tables and roles: set {env.DATABASE_SECRET_ARN} (the"
            f" master secret) or {env.DATABASE_URL} (a superuser locally)"
        )
    return credential_source(
        access,
        lambda: boto3.client("rds", region_name=region),
        lambda: boto3.client("secretsmanager", region_name=region),
    )


@logger.inject_lambda_context
def lambda_handler(event: Any, context: Any) -> dict[str, str]:
    if not isinstance(event, dict) or APPLY_SCHEMA_EVENT_KEY not in event:
        raise ValueError(
            f"the cart-schema function only applies the schema: send {{{APPLY_SCHEMA_EVENT_KEY!r}:"
            f" {{...}}}}, not {str(event)[:200]}"
        )
    with connect(_master_credentials()) as conn:
        apply_schema(conn)
    applied = cart_schema_sha256()
    logger.info("schema applied", extra={"schema_sha256": applied})
    return {"applied": applied}
