"""GlobalData (`shop3d:data:GlobalData`): everything stateful, in every configured region.

KMS multi-region keys; S3 asset, upload and log buckets per region, every assets bucket
replicating to every other (each cell publishes into its own); DynamoDB global tables plus a per-region idempotency table; the Aurora PostgreSQL
Global Database on each cell's isolated subnets. Stateful resources are `protect=True` and
have deletion protection when the stack asks for it (prod).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.data.database import GlobalDatabase, global_database
from components.data.keys import regional_keys
from components.data.storage import RegionBuckets, region_buckets, replicate_assets
from components.data.tables import global_tables, regional_tables
from components.interfaces import (
    ClusterOutputs,
    NetworkOutputs,
    RegionDataOutputs,
    TableOutputs,
)
from stack_config.config import StackConfig


@dataclass(frozen=True)
class GlobalDataArgs:
    config: StackConfig
    providers: Mapping[str, aws.Provider]
    # Each region's network: Aurora's subnet group and security group live there.
    networks: Mapping[str, NetworkOutputs]


class GlobalData(pulumi.ComponentResource):
    key_arns: dict[str, pulumi.Output[str]]
    buckets: dict[str, RegionBuckets]
    tables: dict[str, aws.dynamodb.Table]
    idempotency_tables: dict[str, aws.dynamodb.Table]
    database: GlobalDatabase

    def __init__(
        self, name: str, args: GlobalDataArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:data:GlobalData", name, None, opts)
        config = args.config
        regions = config.region_names
        protect = config.deletion_protection
        self.primary_region = config.primary.name
        self.account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id

        self.key_arns = regional_keys(self, regions, args.providers, self.account_id, protect)
        self.buckets = {
            region: region_buckets(
                self,
                region,
                args.providers[region],
                self.key_arns[region],
                self.account_id,
                protect,
                config.log_retention_days,
            )
            for region in regions
        }
        replicate_assets(
            self, self.buckets, self.key_arns, args.providers, config.replication_time_control
        )
        self.tables = global_tables(self, regions, args.providers, self.key_arns, protect)
        self.idempotency_tables = {
            region: tables["idempotency"]
            for region, tables in regional_tables(
                self, regions, args.providers, self.key_arns, protect
            ).items()
        }
        self.database = global_database(self, config, args.providers, self.key_arns, args.networks)

        self.table_names = {name: t.name for name, t in self.tables.items()}
        self.table_arns = {name: t.arn for name, t in self.tables.items()}
        self.bucket_names = {
            region: {"assets": b.assets.id, "uploads": b.uploads.id, "logs": b.logs.id}
            for region, b in self.buckets.items()
        }
        self.register_outputs(
            {
                "keyArns": self.key_arns,
                "tableNames": self.table_names,
                "tableArns": self.table_arns,
                "idempotencyTableNames": {r: t.name for r, t in self.idempotency_tables.items()},
                "bucketNames": self.bucket_names,
                "databaseWriterEndpoint": self.database.writer_endpoint,
            }
        )

    def table_arn_in(self, logical_name: str, region: str) -> pulumi.Output[str]:
        """The ARN of a global table's replica in `region` (same name, that region's ARN)."""
        table = self.tables[logical_name]
        return table.arn.apply(lambda arn: _arn_in_region(arn, region))

    def region_outputs(self, region: str) -> RegionDataOutputs:
        """What a component in `region` uses of the data layer (its cell, the edge, security)."""
        regional_cluster = self.database.clusters[region]
        cluster = regional_cluster.cluster
        idempotency = self.idempotency_tables[region]
        primary = self.primary_region
        return RegionDataOutputs(
            region=region,
            primary_region=primary,
            account_id=self.account_id,
            key_arn=self.key_arns[region],
            primary_key_arn=self.key_arns[primary],
            buckets=self.buckets[region],
            primary_assets=self.buckets[primary].assets,
            tables={
                name: TableOutputs(
                    name=table.name,
                    arn=self.table_arn_in(name, region),
                    stream_arn=table.stream_arn if region == primary else None,
                )
                for name, table in self.tables.items()
            },
            idempotency=TableOutputs(name=idempotency.name, arn=idempotency.arn),
            cluster=ClusterOutputs(
                identifier=cluster.cluster_identifier,
                arn=cluster.arn,
                endpoint=cluster.endpoint,
                reader_endpoint=cluster.reader_endpoint,
                resource_id=cluster.cluster_resource_id,
                instances=regional_cluster.instances,
            ),
            master_secret_arn=self.database.master_secret.arn.apply(
                lambda arn: _arn_in_region(arn, region)
            ),
        )


def _arn_in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)
