"""KMS: one multi-region primary key in the primary region, a replica in every other region.

Rotation is a property of the primary and applies to its replicas. Every data resource of a
region is encrypted with that region's key (the replica's ARN), so a region can run alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components import iam
from components.naming import physical, regional
from components.options import child, stateful

DELETION_WINDOW_DAYS = 30


def regional_keys(
    parent: pulumi.Resource,
    regions: tuple[str, ...],
    providers: Mapping[str, aws.Provider],
    account_id: pulumi.Output[str],
    protect: bool,
) -> dict[str, pulumi.Output[str]]:
    """Create the keys; return each region's key ARN."""
    primary, *secondaries = regions

    def policy(region: str) -> pulumi.Output[str]:
        return account_id.apply(lambda account: iam.kms_key_policy(account, region))

    key = aws.kms.Key(
        regional("data", primary, "key"),
        description="shop3d data key (multi-region primary)",
        multi_region=True,
        enable_key_rotation=True,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        policy=policy(primary),
        opts=stateful(parent, protect, provider=providers[primary]),
    )
    arns: dict[str, pulumi.Output[str]] = {primary: key.arn}
    alias = f"alias/{physical('data')}"
    aws.kms.Alias(
        regional("data", primary, "key-alias"),
        name=alias,
        target_key_id=key.key_id,
        opts=child(parent, provider=providers[primary]),
    )
    for region in secondaries:
        replica = aws.kms.ReplicaKey(
            regional("data", region, "key"),
            description=f"shop3d data key (replica in {region})",
            primary_key_arn=key.arn,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=policy(region),
            opts=stateful(parent, protect, provider=providers[region]),
        )
        aws.kms.Alias(
            regional("data", region, "key-alias"),
            name=alias,
            target_key_id=replica.key_id,
            opts=child(parent, provider=providers[region]),
        )
        arns[region] = replica.arn
    return arns
