"""The cart API Lambda of one cell (behind the ALB's /api/* rule): its environment and the
resources its role may reach, nothing more."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.artifacts import lambda_artifact
from components.cell.cache import CellCache
from components.cell.context import CellContext
from components.cell.lambdas import CellFunction, FunctionSpec, cell_function
from components.interfaces import IdentityOutputs
from components.origin_secret import CartCookieKey, arn_in_region
from handlers.shared import env, tables
from handlers.shared.deploy_events import APPLY_SCHEMA_EVENT_KEY, cart_schema_sha256
from handlers.shared.functions import CART_MEMORY_MB, CART_TIMEOUT_SECONDS

MEMORY_MB: Final = CART_MEMORY_MB
TIMEOUT_SECONDS: Final = CART_TIMEOUT_SECONDS


@dataclass(frozen=True)
class CartInputs:
    cache: CellCache
    cookie_key: CartCookieKey
    identity: IdentityOutputs | None


def _identity_environment(identity: IdentityOutputs | None) -> dict[str, pulumi.Input[str]]:
    if identity is None:
        return {}  # guests only until the identity component is in the program
    return {env.AUTH_ISSUER: identity.issuer_url, env.AUTH_JWKS_URL: identity.jwks_url,
            env.AUTH_CLIENT_ID: identity.client_id}


def cart_api(ctx: CellContext, inputs: CartInputs,
             dead_letter_arn: pulumi.Input[str]) -> CellFunction:
    data = ctx.data
    catalog = data.table_arn_in(tables.CATALOG.logical_name, ctx.region)
    carts = data.table_arn_in(tables.CARTS.logical_name, ctx.region)
    idempotency = data.idempotency_tables[ctx.region]
    database_secret = data.database.master_secret.arn.apply(
        lambda arn: arn_in_region(arn, ctx.region))
    cookie_secret = inputs.cookie_key.arn_in(ctx.region)
    cart = cell_function(
        ctx,
        FunctionSpec(
            role="cart",
            artifact=lambda_artifact("cart", ctx.config.lambda_architecture),
            description="shop3d cart, sessions and checkout API (behind the ALB)",
            memory_mb=MEMORY_MB,
            timeout_seconds=TIMEOUT_SECONDS,
            environment={
                env.CATALOG_TABLE: data.tables[tables.CATALOG.logical_name].name,
                env.CARTS_TABLE: data.tables[tables.CARTS.logical_name].name,
                env.IDEMPOTENCY_TABLE: idempotency.name,
                env.HOME_REGION: ctx.region,
                env.DATABASE_SECRET_ARN: database_secret,
                env.DATABASE_HOST: data.database.clusters[ctx.region].cluster.endpoint,
                env.REDIS_URL: inputs.cache.url,
                env.REDIS_AUTH_SECRET_ARN: inputs.cache.auth_secret.arn,
                env.CART_COOKIE_SECRET_ARN: cookie_secret,
                **_identity_environment(inputs.identity),
            },
            statements=[
                iam.allow(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                           "dynamodb:Scan"], [catalog], sid="ReadCatalog"),
                iam.allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                          [carts], sid="Carts"),
                iam.allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                           "dynamodb:DeleteItem"], [idempotency.arn], sid="Idempotency"),
                iam.allow(["secretsmanager:GetSecretValue"],
                          [database_secret, inputs.cache.auth_secret.arn, cookie_secret],
                          sid="OwnSecrets"),
            ],
        ),
        dead_letter_arn=dead_letter_arn,
    )
    if ctx.is_primary:
        apply_schema(ctx, cart)
    return cart


def apply_schema(ctx: CellContext, cart: CellFunction) -> aws.lambda_.Invocation:
    """Apply the orders schema to the Aurora writer through the cart Lambda (it is in the VPC
    and holds the credentials), once the writer exists and again whenever schema.sql changes.
    Secondaries receive it by Aurora's replication."""
    schema = cart_schema_sha256()
    writers = ctx.data.database.clusters[ctx.region].instances
    return aws.lambda_.Invocation(
        ctx.name("cart", "apply-schema"),
        function_name=cart.function.name,
        input=json.dumps({APPLY_SCHEMA_EVENT_KEY: {"schema_sha256": schema}}),
        triggers={"schema_sha256": schema},
        opts=ctx.opts(depends_on=list(writers)),
    )
