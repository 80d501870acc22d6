"""The cart API Lambda of one cell (behind the ALB's /api/* rule): its environment and the
resources its role may reach, nothing more. It signs in to its region's Aurora cluster as the
cart's own database user with IAM auth tokens (rds-db:connect on that user only); it cannot read
the master secret. It connects to the cluster's reader endpoint: that endpoint is live in a
secondary cluster too (its writer endpoint is not), and the cluster forwards checkout's writes to
the current writer (components/data/database.py), so the same host works before and after a
switchover.

The primary cell also has the cart-schema Lambda: the same code, another entry point, a role
that may read the master secret and nothing else of the cart's. The deploy invokes it to apply
the schema, create the cart's database user and set its grants."""

from __future__ import annotations

import dataclasses
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
from components.cell.orders import cart_entry, order_jobs
from components.cell_network import POSTGRES_PORT
from components.data.database import DATABASE_NAME
from components.interfaces import ClusterOutputs, IdentityOutputs
from handlers.shared import env, storage, tables
from handlers.shared.deploy_events import (
    APPLY_SCHEMA_EVENT_KEY,
    CART_DATABASE_ROLE,
    CART_SCHEMA_HANDLER,
    SEARCH_PROJECTION_ROLE,
    cart_schema_sha256,
)
from handlers.shared.functions import (
    CART_MEMORY_MB,
    CART_SCHEMA_MEMORY_MB,
    CART_SCHEMA_TIMEOUT_SECONDS,
    CART_TIMEOUT_SECONDS,
    SEARCH_PROJECTION_BATCH_SIZE,
    SEARCH_PROJECTION_HANDLER,
    SEARCH_PROJECTION_MEMORY_MB,
    SEARCH_PROJECTION_TIMEOUT_SECONDS,
)

MEMORY_MB: Final = CART_MEMORY_MB
TIMEOUT_SECONDS: Final = CART_TIMEOUT_SECONDS
# What handlers/cart/accounts/sessions.py does with the sessions table, and no more.
SESSION_ACTIONS: Final = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem")
# What DynamoDB asks of a caller's key permissions for a table under a customer managed key
# (reads decrypt, writes encrypt with a data key; the CDK grants the same for a table's key).
TABLE_KEY_ACTIONS: Final = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class CartInputs:
    cache: CellCache | None  # None: no catalog cache (reads go to DynamoDB)
    # This region's copy of the stack's guest cookie key.
    cookie_key_arn: pulumi.Output[str]
    identity: IdentityOutputs
    # This region's copy of the stack's Stripe keys; None: no payments.
    stripe_keys_arn: pulumi.Output[str] | None = None
    # The region's order bus (the outbox relay publishes to it).
    bus: aws.cloudwatch.EventBus | None = None


def _identity_environment(identity: IdentityOutputs) -> dict[str, pulumi.Input[str]]:
    return {
        env.AUTH_ISSUER: identity.issuer_url,
        env.AUTH_JWKS_URL: identity.jwks_url,
        env.AUTH_CLIENT_ID: identity.client_id,
        env.AUTH_DOMAIN_URL: identity.domain_url,
        env.AUTH_CALLBACK_URL: identity.callback_url,
    }


def _cache_environment(cache: CellCache | None) -> dict[str, pulumi.Input[str]]:
    if cache is None:
        return {}  # the service reads the catalog from DynamoDB only
    return {env.REDIS_URL: cache.url, env.REDIS_AUTH_SECRET_ARN: cache.auth_secret.arn}


def cart_api(
    ctx: CellContext, inputs: CartInputs, dead_letter_arn: pulumi.Input[str]
) -> CellFunction:
    data = ctx.data
    catalog = data.tables[tables.CATALOG.logical_name].arn
    uploads = data.buckets.uploads
    carts = data.tables[tables.CARTS.logical_name].arn
    idempotency = data.idempotency
    cluster = data.cluster
    cookie_secret = inputs.cookie_key_arn
    spec = FunctionSpec(
        role="cart",
        artifact=lambda_artifact("cart", ctx.config.lambda_architecture),
        description="shop3d cart, sessions and checkout API (behind the ALB)",
        memory_mb=MEMORY_MB,
        timeout_seconds=TIMEOUT_SECONDS,
        # The one function whose capacity is worth guaranteeing: the shop's API.
        reserved_concurrency=ctx.config.lambda_reserved_concurrency or None,
        environment={
            env.CATALOG_TABLE: data.tables[tables.CATALOG.logical_name].name,
            env.CARTS_TABLE: data.tables[tables.CARTS.logical_name].name,
            env.IDEMPOTENCY_TABLE: idempotency.name,
            env.HOME_REGION: ctx.region,
            env.DATABASE_IAM_USER: CART_DATABASE_ROLE,
            env.DATABASE_HOST: cluster.reader_endpoint,
            env.DATABASE_PORT: str(POSTGRES_PORT),
            env.DATABASE_NAME: DATABASE_NAME,
            env.SEARCH_DATABASE_HOST: cluster.reader_endpoint,
            **_cache_environment(inputs.cache),
            env.CART_COOKIE_SECRET_ARN: cookie_secret,
            env.UPLOADS_BUCKET: uploads.id,
            **_identity_environment(inputs.identity),
        },
        statements=[
            iam.allow(
                [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",  # the listing indexes: nothing scans the catalog
                ],
                [catalog, pulumi.Output.concat(catalog, "/index/*")],
                sid="ReadCatalog",
            ),
            # The admin product API: conditional creates and versioned updates, no deletes.
            iam.allow(["dynamodb:PutItem", "dynamodb:UpdateItem"], [catalog], sid="EditCatalog"),
            # Presigned multipart uploads are signed with this role: it must hold what the
            # browser does with them (UploadPart is s3:PutObject) and what the API does.
            iam.allow(
                ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                [iam.objects(uploads.arn, storage.UPLOADS_PREFIX)],
                sid="ModelUploads",
            ),
            # SSE-KMS multipart uploads need both (kms:Decrypt to assemble the parts).
            iam.allow(["kms:GenerateDataKey", "kms:Decrypt"], [data.key_arn], sid="UploadsKey"),
            iam.allow(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                [carts],
                sid="Carts",
            ),
            iam.allow(
                [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                [idempotency.arn],
                sid="Idempotency",
            ),
            iam.allow(["rds-db:connect"], [database_user_arn(ctx, cluster)], sid="DatabaseUser"),
            iam.allow(
                ["secretsmanager:GetSecretValue"],
                [
                    *([inputs.cache.auth_secret.arn] if inputs.cache is not None else []),
                    cookie_secret,
                ],
                sid="OwnSecrets",
            ),
            *_order_statements(inputs),
        ],
    )
    spec = dataclasses.replace(
        spec, environment={**spec.environment, **_order_environment(ctx, inputs)}
    )
    cart = cell_function(ctx, with_sessions(ctx, spec), dead_letter_arn=dead_letter_arn)
    if ctx.is_primary:
        schema = apply_schema(ctx, schema_function(ctx, dead_letter_arn))
        # The writer's region runs the jobs that change orders outside a request.
        order_jobs(ctx, dataclasses.replace(spec, reserved_concurrency=None), dead_letter_arn)
        search_projection(ctx, dead_letter_arn, schema)
    return cart


def with_sessions(ctx: CellContext, spec: FunctionSpec) -> FunctionSpec:
    """The cart API's own grants on top of what the order jobs share: the sessions table of the
    backend-for-frontend (sign-in writes a session, a request reads it, sign-out deletes it).
    The table is encrypted with the region's key: DynamoDB uses it on the caller's behalf, so
    the role may use the key through DynamoDB in this region only (kms:ViaService).

    Cognito needs no grant: the routes call the user pool's public API (SignUp, InitiateAuth,
    RevokeToken, ...), which Cognito authorizes by the app client id or the user's access token,
    not by IAM."""
    sessions = ctx.data.tables[tables.SESSIONS.logical_name]
    indexes = [pulumi.Output.concat(sessions.arn, "/index/*")] if tables.SESSIONS.indexes else []
    return dataclasses.replace(
        spec,
        environment={
            **spec.environment,
            env.SESSIONS_TABLE: sessions.name,
            env.SESSION_DAYS: str(ctx.config.auth_refresh_token_days),
        },
        statements=[
            *spec.statements,
            iam.allow(list(SESSION_ACTIONS), [sessions.arn, *indexes], sid="Sessions"),
            iam.allow(
                list(TABLE_KEY_ACTIONS),
                [ctx.data.key_arn],
                sid="SessionsTableKey",
                conditions={
                    "StringEquals": {"kms:ViaService": f"dynamodb.{ctx.region}.amazonaws.com"}
                },
            ),
        ],
    )


def _order_environment(ctx: CellContext, inputs: CartInputs) -> dict[str, pulumi.Input[str]]:
    environment: dict[str, pulumi.Input[str]] = {
        env.RESERVATION_MINUTES: str(ctx.config.reservation_minutes)
    }
    if inputs.stripe_keys_arn is not None:
        environment[env.STRIPE_SECRET_ARN] = inputs.stripe_keys_arn
    if inputs.bus is not None:
        environment[env.EVENT_BUS_NAME] = inputs.bus.name
    return environment


def _order_statements(inputs: CartInputs) -> list[iam.Statement]:
    statements = []
    if inputs.stripe_keys_arn is not None:
        statements.append(
            iam.allow(["secretsmanager:GetSecretValue"], [inputs.stripe_keys_arn], sid="StripeKeys")
        )
    if inputs.bus is not None:
        statements.append(iam.allow(["events:PutEvents"], [inputs.bus.arn], sid="OrderEvents"))
    return statements


def database_user_arn(
    ctx: CellContext, cluster: ClusterOutputs, user: str = CART_DATABASE_ROLE
) -> pulumi.Output[str]:
    """What rds-db:connect names: the cart's database user (or `user`) on this region's
    cluster."""
    return pulumi.Output.concat(
        "arn:aws:rds-db:",
        ctx.region,
        ":",
        ctx.data.account_id,
        ":dbuser:",
        cluster.resource_id,
        "/",
        user,
    )


def search_projection(
    ctx: CellContext, dead_letter_arn: pulumi.Input[str], schema: aws.lambda_.Invocation
) -> CellFunction:
    """The primary cell's consumer of the catalog stream: upserts the search rows on the writer
    as the projection's own database user (handlers.cart.search_projection). Its event source
    mapping starts at the trim horizon once the schema (the table and the user) exists, retries
    a failed record until it succeeds (rows are ordered per SKU: nothing may be skipped), and
    takes the handler's partial-batch answers."""
    stream = ctx.data.tables[tables.CATALOG.logical_name].stream_arn
    if stream is None:
        raise ValueError("the search projection runs where the catalog stream is: the primary")
    cluster = ctx.data.cluster
    projection = cell_function(
        ctx,
        FunctionSpec(
            role="search-projection",
            artifact=cart_entry(ctx, SEARCH_PROJECTION_HANDLER),
            description="shop3d search projection: catalog stream to the search rows",
            memory_mb=SEARCH_PROJECTION_MEMORY_MB,
            timeout_seconds=SEARCH_PROJECTION_TIMEOUT_SECONDS,
            environment={
                env.HOME_REGION: ctx.region,
                env.DATABASE_IAM_USER: SEARCH_PROJECTION_ROLE,
                env.DATABASE_HOST: cluster.endpoint,
                env.DATABASE_PORT: str(POSTGRES_PORT),
                env.DATABASE_NAME: DATABASE_NAME,
            },
            statements=[
                iam.allow(
                    [
                        "dynamodb:DescribeStream",
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                        "dynamodb:ListStreams",
                    ],
                    [stream],
                    sid="CatalogStream",
                ),
                iam.allow(
                    ["rds-db:connect"],
                    [database_user_arn(ctx, cluster, SEARCH_PROJECTION_ROLE)],
                    sid="DatabaseUser",
                ),
            ],
        ),
        dead_letter_arn=dead_letter_arn,
    )
    aws.lambda_.EventSourceMapping(
        ctx.name("search-projection", "catalog-stream"),
        event_source_arn=stream,
        function_name=projection.function.arn,
        starting_position="TRIM_HORIZON",
        batch_size=SEARCH_PROJECTION_BATCH_SIZE,
        function_response_types=["ReportBatchItemFailures"],
        maximum_retry_attempts=-1,
        maximum_record_age_in_seconds=-1,
        opts=ctx.opts(depends_on=[schema]),
    )
    return projection


def schema_function(ctx: CellContext, dead_letter_arn: pulumi.Input[str]) -> CellFunction:
    """The cart-schema Lambda: in the VPC (it reaches the writer), the master secret's only
    reader among the cells' functions. DDL and GRANT are never forwarded, so it connects to the
    cluster (writer) endpoint of the stack's primary: schema changes deploy while the writer is
    in the primary region (docs/failover.md: switch back before such a deploy)."""
    secret = ctx.data.master_secret_arn
    return cell_function(
        ctx,
        FunctionSpec(
            role="cart-schema",
            artifact=cart_entry(ctx, CART_SCHEMA_HANDLER),
            description="shop3d cart schema, database user and grants (invoked by deploys)",
            memory_mb=CART_SCHEMA_MEMORY_MB,
            timeout_seconds=CART_SCHEMA_TIMEOUT_SECONDS,
            environment={
                env.DATABASE_SECRET_ARN: secret,
                env.DATABASE_HOST: ctx.data.cluster.endpoint,
            },
            statements=[iam.allow(["secretsmanager:GetSecretValue"], [secret], sid="MasterSecret")],
        ),
        dead_letter_arn=dead_letter_arn,
    )


def apply_schema(ctx: CellContext, schema: CellFunction) -> aws.lambda_.Invocation:
    """Apply the orders schema, the cart's database user and its grants to the Aurora writer
    through the cart-schema Lambda, once the writer exists and again whenever schema.sql or
    grants.sql changes. Secondaries receive all of it by Aurora's replication."""
    digest = cart_schema_sha256()
    writers = ctx.data.cluster.instances
    return aws.lambda_.Invocation(
        ctx.name("cart", "apply-schema"),
        function_name=schema.function.name,
        input=json.dumps({APPLY_SCHEMA_EVENT_KEY: {"schema_sha256": digest}}),
        triggers={"schema_sha256": digest},
        opts=ctx.opts(depends_on=list(writers)),
    )
