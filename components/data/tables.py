"""DynamoDB: the global tables (catalog, carts, sessions) with a replica in every other region,
and an idempotency table per region. Key schemas come from handlers.shared.tables, the module
the services use too."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.naming import regional
from components.options import stateful
from handlers.shared.tables import GLOBAL_TABLES, REGIONAL_TABLES, IndexSchema, TableSchema


def _index_keys(index: IndexSchema) -> list[aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs]:
    """An index's keys as `key_schemas` (pulumi-aws 7.x deprecates an index's hash_key and
    range_key for this block; pyproject.toml turns that warning into a test failure)."""
    keys = [(index.hash_key, "HASH"), *([(index.range_key, "RANGE")] if index.range_key else [])]
    return [
        aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=key.name, key_type=kind)
        for key, kind in keys
    ]


def _table(
    name: str,
    schema: TableSchema,
    parent: pulumi.Resource,
    provider: aws.Provider,
    key_arn: pulumi.Input[str],
    protect: bool,
    replicas: list[aws.dynamodb.TableReplicaArgs] | None,
) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        name,
        billing_mode="PAY_PER_REQUEST",
        hash_key=schema.hash_key.name,
        range_key=schema.range_key.name if schema.range_key else None,
        attributes=[
            aws.dynamodb.TableAttributeArgs(name=a.name, type=a.type) for a in schema.key_attributes
        ],
        global_secondary_indexes=[
            aws.dynamodb.TableGlobalSecondaryIndexArgs(
                name=index.name, key_schemas=_index_keys(index), projection_type="ALL"
            )
            for index in schema.indexes
        ]
        or None,
        ttl=aws.dynamodb.TableTtlArgs(attribute_name=schema.ttl_attribute, enabled=True)
        if schema.ttl_attribute
        else None,
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
            enabled=True, kms_key_arn=key_arn
        ),
        # Global tables need streams; the regional idempotency table gets them too so that
        # every table looks the same to the policy pack and to operators.
        stream_enabled=True,
        stream_view_type="NEW_AND_OLD_IMAGES",
        deletion_protection_enabled=protect,
        replicas=replicas,
        opts=stateful(parent, protect, provider=provider),
    )


def global_tables(
    parent: pulumi.Resource,
    regions: tuple[str, ...],
    providers: Mapping[str, aws.Provider],
    key_arns: Mapping[str, pulumi.Output[str]],
    protect: bool,
) -> dict[str, aws.dynamodb.Table]:
    primary, *secondaries = regions
    tables: dict[str, aws.dynamodb.Table] = {}
    for schema in GLOBAL_TABLES:
        replicas = [
            aws.dynamodb.TableReplicaArgs(
                region_name=region,
                kms_key_arn=key_arns[region],
                point_in_time_recovery=True,
                propagate_tags=True,
                deletion_protection_enabled=protect,
            )
            for region in secondaries
        ]
        tables[schema.logical_name] = _table(
            regional("data", primary, schema.logical_name),
            schema,
            parent,
            providers[primary],
            key_arns[primary],
            protect,
            replicas or None,
        )
    return tables


def regional_tables(
    parent: pulumi.Resource,
    regions: tuple[str, ...],
    providers: Mapping[str, aws.Provider],
    key_arns: Mapping[str, pulumi.Output[str]],
    protect: bool,
) -> dict[str, dict[str, aws.dynamodb.Table]]:
    """{region: {logical name: table}} for the tables that stay in one region."""
    return {
        region: {
            schema.logical_name: _table(
                regional("data", region, schema.logical_name),
                schema,
                parent,
                providers[region],
                key_arns[region],
                protect,
                None,
            )
            for schema in REGIONAL_TABLES
        }
        for region in regions
    }
