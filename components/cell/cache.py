"""ElastiCache Redis: the catalog read cache of one cell.

A replication group on the isolated subnets behind the cache security group; TLS in transit
(required), encrypted at rest with the region's key, an AUTH token generated here and kept in
Secrets Manager (the services read it from there, never from their environment), snapshots
kept, slow log to CloudWatch. prod: one replica in another AZ with automatic failover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.cell.context import CellContext
from components.cell_network import REDIS_PORT

ENGINE_VERSION: Final = "7.1"
# Redis AUTH tokens: 16-128 printable characters without @, " or /; letters and digits only.
AUTH_TOKEN_LENGTH: Final = 64
# ElastiCache keeps at most 35 daily snapshots.
MAX_SNAPSHOT_DAYS: Final = 35
SNAPSHOT_WINDOW: Final = "03:00-04:00"
MAINTENANCE_WINDOW: Final = "sun:05:00-sun:06:00"


@dataclass(frozen=True)
class CellCache:
    group: aws.elasticache.ReplicationGroup
    auth_secret: aws.secretsmanager.Secret
    nodes: int

    @property
    def url(self) -> pulumi.Output[str]:
        """The services' SHOP3D_REDIS_URL: TLS (rediss) to the primary endpoint."""
        return pulumi.Output.concat(
            "rediss://", self.group.primary_endpoint_address, ":", str(REDIS_PORT), "/0"
        )


def cell_cache(ctx: CellContext) -> CellCache:
    highly_available = ctx.config.is_prod
    nodes = 2 if highly_available else 1
    token = random.RandomPassword(
        ctx.name("redis", "auth-token"), length=AUTH_TOKEN_LENGTH, special=False, opts=ctx.opts()
    )
    secret = aws.secretsmanager.Secret(
        ctx.name("redis", "auth-secret"),
        description=f"shop3d Redis AUTH token ({ctx.region})",
        kms_key_id=ctx.key_arn,
        recovery_window_in_days=30 if ctx.config.deletion_protection else 7,
        opts=ctx.stateful(),
    )
    aws.secretsmanager.SecretVersion(
        ctx.name("redis", "auth-secret", "version"),
        secret_id=secret.id,
        secret_string=token.result,
        opts=ctx.opts(),
    )
    subnets = aws.elasticache.SubnetGroup(
        ctx.name("redis", "subnets"),
        name=ctx.physical("redis", ctx.region),
        description=f"shop3d Redis on the isolated subnets of the {ctx.region} cell",
        subnet_ids=ctx.network.isolated_subnet_ids,
        opts=ctx.opts(),
    )
    slow_log = aws.cloudwatch.LogGroup(
        ctx.name("redis", "slow-log"),
        retention_in_days=ctx.config.log_retention_days,
        kms_key_id=ctx.key_arn,
        opts=ctx.opts(),
    )
    identifier = ctx.physical("redis")
    group = aws.elasticache.ReplicationGroup(
        ctx.name("redis"),
        replication_group_id=identifier,
        description=f"shop3d catalog cache ({ctx.region})",
        engine="redis",
        engine_version=ENGINE_VERSION,
        node_type=ctx.config.redis_node_type,
        port=REDIS_PORT,
        num_cache_clusters=nodes,
        automatic_failover_enabled=highly_available,
        multi_az_enabled=highly_available,
        subnet_group_name=subnets.name,
        security_group_ids=[ctx.network.cache_security_group_id],
        at_rest_encryption_enabled=True,
        kms_key_id=ctx.key_arn,
        transit_encryption_enabled=True,
        transit_encryption_mode="required",
        auth_token=token.result,
        snapshot_retention_limit=min(ctx.config.backup_retention_days, MAX_SNAPSHOT_DAYS),
        snapshot_window=SNAPSHOT_WINDOW,
        maintenance_window=MAINTENANCE_WINDOW,
        final_snapshot_identifier=f"{identifier}-final" if ctx.config.deletion_protection else None,
        auto_minor_version_upgrade=True,
        log_delivery_configurations=[
            aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                destination=slow_log.name,
                destination_type="cloudwatch-logs",
                log_format="json",
                log_type="slow-log",
            )
        ],
        opts=ctx.stateful(),
    )
    return CellCache(group=group, auth_secret=secret, nodes=nodes)
